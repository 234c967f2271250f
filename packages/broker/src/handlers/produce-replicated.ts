// Produce in a cluster: only the partition's Raft leader takes batches (others answer NOT_LEADER
// naming the leader; the client refreshes metadata and resends). Each batch becomes one Raft
// entry through the idempotent-producer table; acks 'all' answers once a majority has the batch
// durably, acks 'leader' once the leader has. Offsets are assigned when the leader proposes.
import { Acks, type AcksValue, BatchField, type ProducePartitionData } from '@weir/protocol'
import type { Cluster } from '../cluster/cluster.js'
import { appendDeduplicated } from '../producers/append-deduplicated.js'
import type { HandlerContext } from './handler.js'
import { checkBatches, isIdempotent } from './produce-batches.js'

export async function produceReplicated(
  cluster: Cluster,
  topic: string,
  data: ProducePartitionData,
  acks: AcksValue,
  context: HandlerContext,
): Promise<{ baseOffset: number; logStartOffset: number }> {
  const replica = cluster.leaderReplica(topic, data.partition)
  const checked = checkBatches(data.records, replica.log.config.maxBatchBytes)
  const table = checked.some(isIdempotent) ? await context.producerStates.tableFor(replica.log) : undefined
  const mode = acks === Acks.all ? 'all' : 'leader'
  const results = await appendDeduplicated(table, checked, (batch) => {
    const span = batch.readUInt32BE(BatchField.lastOffsetDelta) + 1
    const { baseOffset, done } = replica.propose([batch], mode)
    return done.then(() => ({ baseOffset, lastOffset: baseOffset + span - 1 }))
  })
  return { baseOffset: results[0]!.baseOffset, logStartOffset: replica.log.logStartOffset }
}
