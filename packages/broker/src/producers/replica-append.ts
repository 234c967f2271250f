// The produce path's append to a partition's leader replica: each batch becomes one Raft entry,
// idempotent batches through the partition's producer table. A batch the table recognises as a
// resend is answered with its original offsets only once those are as durable as the request's
// acks ask: the table is rebuilt from the leader's whole log, which may end in entries of an
// earlier term that are not committed yet and that a later leader may still replace.
import { offsetCountAt } from '@weir/protocol'
import { type Acks, LeadershipTransferring, type PartitionReplica } from '../cluster/partition-replica.js'
import { appendDeduplicated } from './append-deduplicated.js'
import type { BatchOffsets, ProducerStateTable } from './producer-state.js'

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
    (batch) => proposeBatch(replica, batch, acks),
    (offsets) => replica.durableThrough(offsets.lastOffset, acks),
  )
  return results[0]!.baseOffset
}

/**
 * One batch as one entry. A leader handing its group over refuses proposals: the batch waits for
 * the transfer to end and is proposed once more, so the producer hears NOT_LEADER only once the new
 * leader exists (its next metadata finds it) instead of retrying with growing backoff meanwhile,
 * and an abandoned transfer costs nothing. Throws at once for anything else (appendDeduplicated
 * aborts the batch either way).
 */
function proposeBatch(replica: PartitionReplica, batch: Buffer, acks: Acks): Promise<BatchOffsets> {
  const span = offsetCountAt(batch)
  const propose = () => {
    const { baseOffset, done } = replica.propose([batch], acks)
    return done.then(() => ({ baseOffset, lastOffset: baseOffset + span - 1 }))
  }
  try {
    return propose()
  } catch (error) {
    if (!(error instanceof LeadershipTransferring)) throw error
    return replica.transferEnded().then(propose)
  }
}
