// Appends a partition's batches through its idempotent-producer table: a batch the table has seen
// is answered with the offsets it got the first time, one identical to a batch still being appended
// waits for that append, the rest are appended in the order given. Shared by every produce path
// (single node today, the replicated one later): `append` is whatever puts a batch into the log.
import { readBatchHeader } from '@weir/protocol'
import type { BatchOffsets, InFlightToken, ProducerStateTable } from './producer-state.js'

/**
 * Checks every batch before appending any: a batch the table refuses (OUT_OF_ORDER_SEQUENCE,
 * INVALID_PRODUCER_EPOCH) throws with nothing appended. `append` is called synchronously, in batch
 * order, so a log that queues appends in call order keeps them in that order. Resolves with each
 * batch's offsets, original ones for duplicates. `table` undefined: plain appends.
 */
export function appendDeduplicated(
  table: ProducerStateTable | undefined,
  batches: readonly Buffer[],
  append: (batch: Buffer) => Promise<BatchOffsets>,
  /** Resolves once a duplicate's original offsets are durable enough to answer with (default: at once). */
  confirm: (offsets: BatchOffsets) => Promise<void> = () => Promise.resolve(),
): Promise<BatchOffsets[]> {
  if (table === undefined) return Promise.all(batches.map(append))
  const plans: Array<{ batch: Buffer; token: InFlightToken } | Promise<BatchOffsets>> = []
  try {
    for (const batch of batches) {
      const header = readBatchHeader(batch)
      const result = table.check(header)
      if (result.kind === 'append') plans.push({ batch, token: table.begin(header) })
      else if (result.kind === 'duplicate') {
        const offsets = { baseOffset: result.baseOffset, lastOffset: result.lastOffset }
        plans.push(confirm(offsets).then(() => offsets))
      } else plans.push(result.wait)
    }
  } catch (error) {
    for (const plan of plans) if (!(plan instanceof Promise)) table.abort(plan.token, error)
    for (const plan of plans) if (plan instanceof Promise) plan.catch(() => {})
    throw error
  }
  return Promise.all(
    plans.map((plan) => {
      if (plan instanceof Promise) return plan
      return started(append, plan.batch).then(
        (offsets) => {
          table.complete(plan.token, offsets.baseOffset, offsets.lastOffset)
          return offsets
        },
        (error: unknown) => {
          table.abort(plan.token, error)
          throw error
        },
      )
    }),
  )
}

/**
 * The append's promise, also when `append` throws at once (a Raft leader refusing a proposal while
 * it hands leadership over): the begun batch must then be aborted like any failed append. Left
 * begun, it stayed in flight for good and every resend of it waited on it until its request timed
 * out, again and again, as long as this broker kept leading the partition.
 */
function started(append: (batch: Buffer) => Promise<BatchOffsets>, batch: Buffer): Promise<BatchOffsets> {
  try {
    return append(batch)
  } catch (error) {
    return Promise.reject(error)
  }
}
