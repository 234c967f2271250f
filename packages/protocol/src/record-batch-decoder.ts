// Turns batch bytes back into records (consumers, tests, tools). Every malformed input is a typed
// error: CORRUPT_MESSAGE when a length or the CRC fails (the bytes were damaged), INVALID_RECORD
// when the CRC holds but the content cannot be decoded (the batch was built wrong, so no resend of
// it can succeed). Decoding never trusts a length it has not checked against the buffer.
import { compressionNameOf, decompress } from './compression/index.js'
import {
  attributeCompressionMask,
  BatchField,
  inspectBatch,
  type RecordBatchHeader,
  readBatchHeader,
} from './record-batch-layout.js'
import { ByteReader } from './varint.js'
import { WeirError } from './weir-error.js'

export interface DecodedHeader {
  readonly key: string
  readonly value: Buffer | null
}

export interface DecodedRecord {
  readonly offset: number
  readonly timestamp: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: readonly DecodedHeader[]
}

export interface DecodedBatch {
  readonly header: RecordBatchHeader
  readonly records: readonly DecodedRecord[]
}

export interface DecodeOptions {
  /** Cap on a compressed records section once inflated: a guard against decompression bombs. */
  readonly uncompressedBytesMax?: number
  /**
   * Copy keys, values and header values out of `buffer` instead of returning views of it, so the
   * caller may reuse `buffer` once the batch is decoded (a pooled receive buffer).
   */
  readonly copyBytes?: boolean
}

const defaultUncompressedBytesMax = 64 * 1024 * 1024

/** Decodes one whole batch at the start of `buffer` after checking its length and CRC. */
export function decodeRecordBatch(buffer: Buffer, options: DecodeOptions = {}): DecodedBatch {
  const check = inspectBatch(buffer, 0, buffer.length)
  if (!check.ok) throw new WeirError(check.code, `cannot decode record batch: ${check.reason}`)
  const header = readBatchHeader(buffer, 0)
  const codec = header.attributes & attributeCompressionMask
  const codecName = compressionNameOf(codec)
  if (codecName === undefined) {
    throw new WeirError('INVALID_RECORD', `unknown compression codec ${codec} in record batch`)
  }
  // A batch the log cleaner emptied keeps its header and has no records section to inflate.
  if (header.recordCount === 0) return { header, records: [] }
  const stored = buffer.subarray(BatchField.records, check.size)
  const records = decompress(codecName, stored, options.uncompressedBytesMax ?? defaultUncompressedBytesMax)
  // An inflated section is already the batch's own memory: only stored bytes need the copy.
  return { header, records: decodeRecords(records, header, options.copyBytes === true && records === stored) }
}

/** Splits concatenated batches (a log read, a fetch response) into one buffer per batch, no copies. */
export function splitBatches(buffer: Buffer): Buffer[] {
  const batches: Buffer[] = []
  let position = 0
  while (position < buffer.length) {
    const check = inspectBatch(buffer, position, buffer.length)
    if (!check.ok) {
      throw new WeirError(check.code, `batch at byte ${position} of ${buffer.length}: ${check.reason}`)
    }
    batches.push(buffer.subarray(position, position + check.size))
    position += check.size
  }
  return batches
}

// Shared by every record without headers (the common case): one frozen array, not one per record.
const noHeaders: readonly DecodedHeader[] = Object.freeze([])

// Hot on the consumer: one bounded reader walks the whole section (no reader object per record),
// and a record that reads past its declared length is caught after the fact. The section reader is
// bounded by the section, so such a read never leaves the buffer.
function decodeRecords(section: Buffer, header: RecordBatchHeader, copy: boolean): DecodedRecord[] {
  const reader = new ByteReader(section, 0, section.length)
  const { baseOffset, firstTimestamp, recordCount } = header
  const records = new Array<DecodedRecord>(recordCount)
  for (let index = 0; index < recordCount; index++) {
    const length = reader.varint()
    const end = reader.position + length
    if (length < 0 || end > section.length) {
      throw new WeirError('INVALID_RECORD', `record ${index} claims ${length} bytes past the batch end`)
    }
    reader.int8() // record attributes: reserved
    const timestampDelta = reader.varint()
    const offsetDelta = reader.varint()
    let key = reader.nullableBytes()
    let value = reader.nullableBytes()
    if (copy) {
      key = key === null ? null : Buffer.from(key)
      value = value === null ? null : Buffer.from(value)
    }
    const headerCount = reader.varint()
    if (headerCount < 0 || headerCount > length) {
      throw new WeirError('INVALID_RECORD', `record ${index} has an impossible header count ${headerCount}`)
    }
    let headers = noHeaders
    if (headerCount > 0) {
      const decoded: DecodedHeader[] = []
      for (let headerIndex = 0; headerIndex < headerCount; headerIndex++) {
        const headerKey = reader.bytes(reader.varint()).toString('utf8')
        const headerValue = reader.nullableBytes()
        decoded.push({
          key: headerKey,
          value: copy && headerValue !== null ? Buffer.from(headerValue) : headerValue,
        })
      }
      headers = decoded
    }
    if (reader.position > end) {
      throw new WeirError('INVALID_RECORD', `record ${index} reads past its declared ${length} bytes`)
    }
    records[index] = {
      offset: baseOffset + offsetDelta,
      timestamp: firstTimestamp + timestampDelta,
      key,
      value,
      headers,
    }
    reader.position = end
  }
  return records
}
