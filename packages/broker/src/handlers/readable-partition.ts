// The log a read (Fetch, ListOffsets) is served from and how far it may read. One broker: the
// local log up to its durable end. A cluster: only the partition's Raft leader answers (others
// say NOT_LEADER, naming the leader), up to the commit index, so a consumer never sees data a
// failover could take back.
import type { PartitionLog } from '@weir/storage'
import type { HandlerContext } from './handler.js'

export interface ReadablePartition {
  readonly log: PartitionLog
  readonly highWatermark: number
}

/** Errors: UNKNOWN_TOPIC, UNKNOWN_PARTITION, NOT_LEADER. */
export function readablePartition(
  context: HandlerContext,
  topic: string,
  partition: number,
): ReadablePartition {
  if (context.cluster !== undefined) {
    const replica = context.cluster.leaderReplica(topic, partition)
    return { log: replica.log, highWatermark: replica.highWatermark }
  }
  const log = context.store.topic(topic).partition(partition)
  return { log, highWatermark: log.durableEndOffset }
}
