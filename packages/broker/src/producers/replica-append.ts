// The produce path's append to a partition's leader replica: each batch becomes one Raft entry,
// idempotent batches through the partition's producer table. A batch the table recognises as a
// resend is answered with its original offsets only once those are as durable as the request's
// acks ask: the table is rebuilt from the leader's whole log, which may end in entries of an
// earlier term that are not committed yet and that a later leader may still replace.
import { offsetCountAt } from '@weir/protocol'
import type { Acks, PartitionReplica } from '../cluster/partition-replica.js'
import { appendDeduplicated } from './append-deduplicated.js'
import type { ProducerStateTable } from './producer-state.js'

/**
 * Proposes `batches` (checked already) in order, through `table` (the partition's producer table;
 * undefined when no batch is idempotent); resolves with the first batch's offset once every
 * batch is durable per `acks`. Errors: NOT_LEADER (also when leadership moves before a resend's
 * original entry commits), the producer table's (OUT_OF_ORDER_SEQUENCE, INVALID_PRODUCER_EPOCH).
 */
export async function appendToReplica(
  replica: PartitionReplica,
  table: ProducerStateTable | undefined,
  batches: readonly Buffer[],
  acks: Acks,
): Promise<number> {
  const results = await appendDeduplicated(
    table,
    batches,
    (batch) => {
      const span = offsetCountAt(batch)
      const { baseOffset, done } = replica.propose([batch], acks)
      return done.then(() => ({ baseOffset, lastOffset: baseOffset + span - 1 }))
    },
    (offsets) => replica.durableThrough(offsets.lastOffset, acks),
  )
  return results[0]!.baseOffset
}
