// The running partition reassignments of the cluster image: for each partition being moved, the
// replica set it is moving to (and the copy throttle asked for). Part of the image, so every
// broker knows every target: a broker named in one hosts the partition from then on, and any
// broker answers ListPartitionReassignments. Pure.

export interface PartitionTarget {
  /** Distinct broker ids; the first becomes the preferred leader. */
  readonly replicas: readonly number[]
  /** Copy rate cap for the replicas being added; absent: unthrottled. */
  readonly throttleBytesPerSec?: number
}

export interface RunningReassignment {
  readonly topic: string
  readonly partition: number
  readonly target: PartitionTarget
}

export class PartitionTargets {
  private readonly byTopic = new Map<string, Map<number, PartitionTarget>>()

  of(topic: string, partition: number): PartitionTarget | undefined {
    return this.byTopic.get(topic)?.get(partition)
  }

  /** Every running reassignment, by topic then partition. */
  all(): RunningReassignment[] {
    const running: RunningReassignment[] = []
    for (const [topic, targets] of this.byTopic)
      for (const [partition, target] of targets) running.push({ topic, partition, target })
    return running.sort(
      (left, right) => left.topic.localeCompare(right.topic) || left.partition - right.partition,
    )
  }

  /** Sets (or replaces) the target of one partition. */
  set(topic: string, partition: number, target: PartitionTarget): void {
    let targets = this.byTopic.get(topic)
    if (targets === undefined) this.byTopic.set(topic, (targets = new Map()))
    targets.set(partition, target)
  }

  clear(topic: string, partition: number): void {
    const targets = this.byTopic.get(topic)
    targets?.delete(partition)
    if (targets?.size === 0) this.byTopic.delete(topic)
  }

  /** A deleted topic's reassignments end with it. */
  clearTopic(topic: string): void {
    this.byTopic.delete(topic)
  }
}
