// Weir's stored batch and Kafka's RecordBatch v2 share every byte but one: the magic byte at
// offset 16 (Weir 1, Kafka 2). Kafka's CRC-32C covers attributes to the end (offset 21 on), the
// same range as Weir's, so the magic byte is outside it and flipping it keeps the CRC valid: no
// recomputation on the hot paths. Field 12-15 is Weir's Raft term where Kafka has the partition
// leader epoch; both are outside the CRC and mean the same thing to a client (fencing).
//
// The one rewrite is a Weir control batch (Raft no-op or membership entry): its record is Weir's
// own, and a Kafka client would read it as a transaction marker. It goes out as a Kafka control
// batch with no records (its offsets still counted by lastOffsetDelta, so the consumer moves past
// it), and that one gets a new CRC because attributes and the record count changed.
import { crc32c } from '@node-rs/crc32'
import {
  attributeControl,
  BatchField,
  batchCrcStart,
  batchHeaderBytes,
  batchLengthPrefixBytes,
  batchMagic,
} from '../record-batch-layout.js'
import { WeirError } from '../weir-error.js'

export const kafkaBatchMagic = 2

/** One Weir batch as Kafka bytes (a copy; the stored batch is never changed). */
export function weirBatchToKafka(batch: Buffer): Buffer {
  if (batch.length < batchHeaderBytes)
    throw new RangeError(`a Weir batch has at least ${batchHeaderBytes} bytes`)
  const attributes = batch.readUInt16BE(BatchField.attributes)
  if ((attributes & attributeControl) === 0) {
    const copy = Buffer.from(batch)
    copy[BatchField.magic] = kafkaBatchMagic
    return copy
  }
  const header = Buffer.from(batch.subarray(0, batchHeaderBytes))
  header[BatchField.magic] = kafkaBatchMagic
  header.writeUInt32BE(batchHeaderBytes - batchLengthPrefixBytes, BatchField.batchLength)
  // Only the control bit: the records (and so their codec) are gone.
  header.writeUInt16BE(attributeControl, BatchField.attributes)
  header.writeUInt32BE(0, BatchField.recordCount)
  header.writeUInt32BE(crc32c(header.subarray(batchCrcStart)), BatchField.crc)
  return header
}

/**
 * A log read (whole Weir batches back to back) as a Fetch response's records. A batch cut off at
 * the end of `log` is left out: the consumer asks again from the offset after the last whole one.
 * One copy of the whole read with each magic byte flipped in place (a Fetch answer is mostly
 * record bytes: a copy per batch and then a concatenation doubled that cost); only a control
 * batch, which shrinks, is rebuilt.
 */
export function weirBatchesToKafka(log: Buffer): Buffer {
  const starts: number[] = []
  let position = 0
  let control = false
  while (log.length - position >= batchHeaderBytes) {
    const size = log.readUInt32BE(position + BatchField.batchLength) + batchLengthPrefixBytes
    if (size < batchHeaderBytes || position + size > log.length) break
    starts.push(position)
    control ||= (log.readUInt16BE(position + BatchField.attributes) & attributeControl) !== 0
    position += size
  }
  if (control) {
    const parts = starts.map((start, index) =>
      weirBatchToKafka(log.subarray(start, starts[index + 1] ?? position)),
    )
    return Buffer.concat(parts)
  }
  const copy = Buffer.from(log.subarray(0, position))
  for (const start of starts) copy[start + BatchField.magic] = kafkaBatchMagic
  return copy
}

/**
 * The one RecordBatch v2 of a Produce partition as a Weir batch (a copy). Checks what the
 * conversion relies on: exactly one whole batch, magic 2, its CRC, and no control bit (only
 * brokers write control batches; a producer sending one is refused). The caller then runs the
 * usual produce checks (checkBatchRecords) on the result.
 */
export function kafkaBatchToWeir(records: Buffer): Buffer {
  if (records.length < batchHeaderBytes) {
    throw new WeirError(
      'CORRUPT_MESSAGE',
      `Kafka record batch of ${records.length} bytes is shorter than its ${batchHeaderBytes}-byte header`,
    )
  }
  const size = records.readUInt32BE(BatchField.batchLength) + batchLengthPrefixBytes
  if (size !== records.length) {
    throw new WeirError(
      'CORRUPT_MESSAGE',
      `Kafka record batch says ${size} bytes but the partition data has ${records.length}; send exactly one batch per partition`,
    )
  }
  const magic = records[BatchField.magic]
  if (magic !== kafkaBatchMagic) {
    throw new WeirError(
      'INVALID_RECORD',
      `Kafka record batch has magic ${magic}; only RecordBatch v2 (magic 2, Produce v3+) is accepted`,
    )
  }
  const crc = crc32c(records.subarray(batchCrcStart))
  if (crc !== records.readUInt32BE(BatchField.crc)) {
    throw new WeirError('CORRUPT_MESSAGE', 'Kafka record batch fails its CRC-32C check')
  }
  if ((records.readUInt16BE(BatchField.attributes) & attributeControl) !== 0) {
    throw new WeirError(
      'INVALID_RECORD',
      'a producer may not send a control batch; clear the control attribute',
    )
  }
  const copy = Buffer.from(records)
  copy[BatchField.magic] = batchMagic
  return copy
}
