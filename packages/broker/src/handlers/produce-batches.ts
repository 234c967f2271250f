// What every produce path checks of a partition's records before appending any of them.
import { BatchField, checkBatchRecords, isControlBatch, splitBatches, WeirError } from '@weir/protocol'

/**
 * Splits `records` into whole batches, each CRC-checked, within the size limit (decompressed, for a
 * compressed batch) and with records every consumer can decode; throws otherwise, before anything
 * is stored. A length or CRC failure is CORRUPT_MESSAGE (damaged on the way: a resend may
 * succeed); a batch that can never be valid is INVALID_RECORD naming the fault, which the client
 * does not retry. Control batches are the broker's own (Raft no-ops, membership changes, log-start
 * markers): one from a client could change a Raft group's voters or cut a partition's log, so it
 * is refused.
 */
export function checkBatches(records: Buffer, maxBatchBytes: number): Buffer[] {
  if (records.length === 0) throw new WeirError('INVALID_RECORD', 'records is empty; send at least one batch')
  const batches = splitBatches(records)
  for (const [index, batch] of batches.entries()) {
    if (batch.length > maxBatchBytes) {
      throw new WeirError(
        'MESSAGE_TOO_LARGE',
        `batch ${index} is ${batch.length} bytes; the topic's maxMessageBytes is ${maxBatchBytes}`,
      )
    }
    if (isControlBatch(batch)) {
      throw new WeirError(
        'INVALID_RECORD',
        `batch ${index} has the control attribute (bit 5), which only brokers write; clear it and send again`,
      )
    }
    checkBatchRecords(batch, maxBatchBytes, `batch ${index}`)
  }
  return batches
}

/** A batch with a producerId goes through the partition's idempotent-producer table. */
export function isIdempotent(batch: Buffer): boolean {
  return (
    batch.readInt32BE(BatchField.producerId) !== -1 ||
    batch.readUInt32BE(BatchField.producerId + 4) !== 0xffff_ffff
  )
}
