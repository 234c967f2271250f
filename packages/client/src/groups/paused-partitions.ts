// Which partitions the application paused, kept by the group consumer across rebalances (pure, no
// I/O): a partition paused and then revoked is still paused if it comes back, and pausing a whole
// topic (`{ topic }` without `partitions`) also pauses its partitions assigned later, as KafkaJS does.
import { partitionKey } from '../partition-fetcher.js'
import type { GroupPartition } from './membership-decisions.js'

/** KafkaJS's shape for pause/resume: a topic's listed partitions, or all of them when `partitions` is omitted. */
export interface TopicPartitionsInput {
  readonly topic: string
  readonly partitions?: readonly number[]
}

export class PausedPartitions {
  private readonly topics = new Set<string>()
  private readonly partitions = new Set<string>()

  pause(entries: readonly TopicPartitionsInput[]): void {
    for (const { topic, partitions } of entries) {
      if (partitions === undefined) this.topics.add(topic)
      else for (const partition of partitions) this.partitions.add(partitionKey(topic, partition))
    }
  }

  /** `assigned`: what the member owns now, so resuming one partition of a paused topic keeps its others paused. */
  resume(entries: readonly TopicPartitionsInput[], assigned: readonly GroupPartition[]): void {
    for (const { topic, partitions } of entries) {
      if (partitions === undefined) {
        this.topics.delete(topic)
        for (const key of [...this.partitions])
          if (key.startsWith(`${topic}\u0000`)) this.partitions.delete(key)
        continue
      }
      if (this.topics.delete(topic)) {
        for (const owned of assigned)
          if (owned.topic === topic) this.partitions.add(partitionKey(topic, owned.partition))
      }
      for (const partition of partitions) this.partitions.delete(partitionKey(topic, partition))
    }
  }

  isPaused(topic: string, partition: number): boolean {
    return this.topics.has(topic) || this.partitions.has(partitionKey(topic, partition))
  }

  /** The paused partitions among `assigned`, grouped by topic in KafkaJS's shape. */
  list(assigned: readonly GroupPartition[]): Array<{ topic: string; partitions: number[] }> {
    const byTopic = new Map<string, number[]>()
    for (const { topic, partition } of assigned) {
      if (!this.isPaused(topic, partition)) continue
      const list = byTopic.get(topic) ?? []
      list.push(partition)
      byTopic.set(topic, list)
    }
    return [...byTopic].map(([topic, partitions]) => ({
      topic,
      partitions: partitions.sort((a, b) => a - b),
    }))
  }
}
