// What the metrics endpoint reports of the broker's state, computed at scrape time from plain
// figures the broker hands in (live-state.ts gathers them): nothing is counted on the hot path.
// Pure: no clock, no I/O, so the lag and under-replication rules are tested directly.

export interface ReplicaFigures {
  readonly topic: string
  readonly partition: number
  readonly logStartOffset: number
  readonly logEndOffset: number
  /** The first offset consumers may not read (committed by a majority). */
  readonly highWatermark: number
  readonly sizeBytes: number
  readonly raftRole: string
  readonly term: number
  readonly commitIndex: number
  readonly isLeader: boolean
  /** Replicas assigned to the partition (its voters). */
  readonly replicaCount: number
  /** In-sync replicas, leader included; meaningful only where isLeader. */
  readonly inSyncCount: number
}

export interface CommittedOffsetFigure {
  readonly group: string
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

export interface StateSource {
  readonly replicas: readonly ReplicaFigures[]
  /** Offsets committed in the groups this broker coordinates. */
  readonly committedOffsets: readonly CommittedOffsetFigure[]
}

export interface GroupLag {
  readonly group: string
  readonly topic: string
  readonly partition: number
  readonly committedOffset: number
  /** The partition's high watermark minus the committed offset, never below 0. */
  readonly lag: number
}

export interface StateSnapshot {
  readonly replicas: readonly ReplicaFigures[]
  readonly groupLags: readonly GroupLag[]
  /** Partitions led here whose in-sync replicas are fewer than their replicas (Kafka's rule: the leader counts). */
  readonly underReplicated: number
  readonly ledPartitions: number
}

/**
 * Lag is reported where this broker hosts a replica of the committed partition (a broker alone
 * hosts all of them): its high watermark is the end a consumer can reach. A committed offset of a
 * partition hosted elsewhere has no end to measure against here and is left out.
 */
export function takeSnapshot(source: StateSource): StateSnapshot {
  const ends = new Map<string, number>()
  for (const replica of source.replicas)
    ends.set(`${replica.topic}/${replica.partition}`, replica.highWatermark)
  const groupLags: GroupLag[] = []
  for (const committed of source.committedOffsets) {
    const end = ends.get(`${committed.topic}/${committed.partition}`)
    if (end === undefined) continue
    groupLags.push({
      ...committed,
      committedOffset: committed.offset,
      lag: Math.max(0, end - committed.offset),
    })
  }
  const led = source.replicas.filter((replica) => replica.isLeader)
  return {
    replicas: source.replicas,
    groupLags,
    underReplicated: led.filter((replica) => replica.inSyncCount < replica.replicaCount).length,
    ledPartitions: led.length,
  }
}
