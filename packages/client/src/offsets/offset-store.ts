// Where a consumer group keeps how far it has read. Pluggable: the broker (default, fenced by the
// coordinator: a member of an old generation cannot commit over the new owner) or any store that
// implements `OffsetStore`, e.g. Redis beside the application's own data (redis-offset-store.ts).
import type { MemberContext } from '../groups/group-membership.js'

/** A position to commit: `offset` is the next offset to read (last processed + 1). */
export interface TopicPartitionOffset {
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

/** topic → partition → committed next offset. Partitions with nothing committed are absent. */
export type CommittedOffsets = Map<string, Map<number, number>>

export interface TopicPartitions {
  readonly topic: string
  readonly partitions: readonly number[]
}

export interface OffsetStore {
  /** The committed positions of `groupId` for these partitions; absent when nothing is committed.
   *  Errors are WeirErrors (retriable ones already retried a bounded number of times). */
  fetch(groupId: string, partitions: readonly TopicPartitions[]): Promise<CommittedOffsets>
  /**
   * Stores the positions. `member` names the committing member (generation and id, so a store
   * that can fence refuses a zombie with ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID /
   * FENCED_INSTANCE_ID); undefined commits for a group with no live members (admin tools). All
   * or nothing is not promised across partitions: on error, some may have been stored.
   */
  commit(
    groupId: string,
    offsets: readonly TopicPartitionOffset[],
    member: MemberContext | undefined,
  ): Promise<void>
}

/** Adds one committed position to a `CommittedOffsets` map. */
export function setCommitted(
  offsets: CommittedOffsets,
  topic: string,
  partition: number,
  offset: number,
): void {
  let partitions = offsets.get(topic)
  if (partitions === undefined) {
    partitions = new Map()
    offsets.set(topic, partitions)
  }
  partitions.set(partition, offset)
}

/** Groups flat offsets by topic, sorted by topic then partition; the last offset of a repeated partition wins. */
export function offsetsByTopic(
  offsets: readonly TopicPartitionOffset[],
): { topic: string; partitions: { partition: number; offset: number }[] }[] {
  const byTopic: CommittedOffsets = new Map()
  for (const { topic, partition, offset } of offsets) setCommitted(byTopic, topic, partition, offset)
  return [...byTopic]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topic, partitions]) => ({
      topic,
      partitions: [...partitions]
        .sort(([a], [b]) => a - b)
        .map(([partition, offset]) => ({ partition, offset })),
    }))
}

/** Asserts an offset is a committable position (programmer error otherwise). */
export function assertCommittable(entry: TopicPartitionOffset): void {
  if (
    !Number.isSafeInteger(entry.offset) ||
    entry.offset < 0 ||
    !Number.isInteger(entry.partition) ||
    entry.partition < 0
  )
    throw new RangeError(
      `cannot commit offset ${entry.offset} for ${entry.topic}/${entry.partition}: offsets and partitions are integers ≥ 0`,
    )
}
