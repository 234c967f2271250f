// The replica a read (Fetch, ListOffsets) is served from and how far it may read: only the
// partition's leader answers (others say NOT_LEADER, naming the leader), up to its high watermark,
// so a consumer never sees data a failover could take back.
import type { PartitionReplica } from '../cluster/partition-replica.js'
import type { HandlerContext } from './handler.js'

/** Errors: UNKNOWN_TOPIC, UNKNOWN_PARTITION, NOT_LEADER. */
export function readablePartition(
  context: HandlerContext,
  topic: string,
  partition: number,
): PartitionReplica {
  return context.cluster.leaderReplica(topic, partition)
}
