// The broker's check of a client's batch before anything of it is stored: a batch that passes is
// one every consumer can decode, so no producer can stop a partition's readers with a batch
// crafted to pass the CRC. It walks every record without copying anything (the produce path pays
// for it), and inflates a compressed section only up to the size the topic allows, so a
// decompression bomb costs at most that much memory. The length and CRC are checked before
// (inspectBatch, via splitBatches): this is about content whose CRC holds.
import { compressionNameOf, decompress } from './compression/index.js'
import { ErrorCodes } from './error-codes.js'
import { batchRecordsMax } from './record-batch-encoder.js'
import { attributeCompressionMask, BatchField, batchHeaderBytes } from './record-batch-layout.js'
import { zigzagDecode } from './varint.js'
import { WeirError } from './weir-error.js'

const varintBytesMax = 8
/** The smallest record: length, attributes, timestampDelta, offsetDelta, key, value, headerCount. */
const recordBytesMin = 7

/**
 * Checks the records of one batch that passed its length and CRC check: the codec is known, the
 * batch (decompressed, when compressed) is at most `batchBytesMax` bytes, recordCount is from 1 to
 * batchRecordsMax and equals lastOffsetDelta + 1 and the records the section holds, every varint
 * is well formed, every record's length matches its fields, offset deltas run 0, 1, 2, … and no
 * byte follows the last record. Errors: INVALID_RECORD naming the first fault; MESSAGE_TOO_LARGE
 * when the records inflate past `batchBytesMax`. Each message starts with `name` (say, "batch 2").
 */
export function checkBatchRecords(batch: Buffer, batchBytesMax: number, name = 'batch'): void {
  try {
    checkRecords(batch, batchBytesMax)
  } catch (error) {
    if (error instanceof RecordFault) throw new WeirError(error.code, `${name}: ${error.message}`)
    throw error
  }
}

function checkRecords(batch: Buffer, batchBytesMax: number): void {
  const recordCount = batch.readUInt32BE(BatchField.recordCount)
  const lastOffsetDelta = batch.readUInt32BE(BatchField.lastOffsetDelta)
  if (recordCount < 1 || recordCount > batchRecordsMax) {
    throw invalid(`recordCount ${recordCount} is outside 1 to ${batchRecordsMax}`)
  }
  if (lastOffsetDelta !== recordCount - 1) {
    throw invalid(`lastOffsetDelta ${lastOffsetDelta} is not recordCount - 1 (${recordCount - 1})`)
  }
  const section = recordsSection(batch, batchBytesMax)
  // A count no section of this size could hold fails here, before the walk.
  if (recordCount > section.length / recordBytesMin) {
    throw invalid(`recordCount ${recordCount} cannot fit in ${section.length} bytes of records`)
  }
  walkRecords(section, recordCount)
}

function recordsSection(batch: Buffer, batchBytesMax: number): Buffer {
  const codec = batch.readUInt16BE(BatchField.attributes) & attributeCompressionMask
  const stored = batch.subarray(batchHeaderBytes)
  const codecName = compressionNameOf(codec)
  if (codecName === undefined) {
    throw invalid(`compression codec ${codec} is unknown (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd)`)
  }
  if (codecName === 'none') return stored
  const sectionBytesMax = batchBytesMax - batchHeaderBytes
  try {
    return decompress(codecName, stored, Math.max(sectionBytesMax, 1))
  } catch (error) {
    if (!(error instanceof WeirError)) throw error
    if (error.code === 'MESSAGE_TOO_LARGE') {
      throw new RecordFault(
        'MESSAGE_TOO_LARGE',
        `the ${codecName} records inflate past ${sectionBytesMax} bytes: the topic's maxMessageBytes (${batchBytesMax}) counts a compressed batch decompressed; send smaller batches`,
      )
    }
    // UNSUPPORTED_COMPRESSION_TYPE (no native library here) passes through as it is.
    if (error.code !== 'INVALID_RECORD') throw error
    const tableText = `. ${ErrorCodes.INVALID_RECORD.message}`
    throw invalid(
      error.message.endsWith(tableText) ? error.message.slice(0, -tableText.length) : error.message,
    )
  }
}

/** Walks `recordCount` records, reading every field, and requires the section to end after them. */
function walkRecords(section: Buffer, recordCount: number): void {
  const cursor = new RecordCursor(section)
  for (let index = 0; index < recordCount; index++) {
    const length = cursor.varint(index, 'length')
    const end = cursor.position + length
    if (length < recordBytesMin - 1 || end > section.length) {
      throw invalid(
        `record ${index} claims ${length} bytes, but ${section.length - cursor.position} bytes of records remain`,
      )
    }
    cursor.end = end
    cursor.skip(1, index, 'attributes')
    cursor.varint(index, 'timestampDelta')
    const offsetDelta = cursor.varint(index, 'offsetDelta')
    if (offsetDelta !== index) {
      throw invalid(`record ${index} has offsetDelta ${offsetDelta}; records must number 0, 1, 2, …`)
    }
    cursor.nullableBytes(index, 'key', 'key length')
    cursor.nullableBytes(index, 'value', 'value length')
    const headerCount = cursor.varint(index, 'headerCount')
    if (headerCount < 0) throw invalid(`record ${index} has a negative header count ${headerCount}`)
    for (let header = 0; header < headerCount; header++) {
      const keyLength = cursor.varint(index, 'header key length')
      if (keyLength < 0) throw invalid(`record ${index} header ${header} has key length ${keyLength}`)
      cursor.skip(keyLength, index, 'header key')
      cursor.nullableBytes(index, 'header value', 'header value length')
    }
    if (cursor.position !== end) {
      const fieldBytes = cursor.position - (end - length)
      throw invalid(`record ${index} declares ${length} bytes but its fields take ${fieldBytes}`)
    }
    cursor.end = section.length
  }
  if (cursor.position !== section.length) {
    const extra = section.length - cursor.position
    throw invalid(`${extra} bytes follow the last of the ${recordCount} records recordCount announces`)
  }
}

/** Reads inside the current record only (`end`), so a field never runs into the next record. */
class RecordCursor {
  position = 0
  end: number

  constructor(private readonly bytes: Buffer) {
    this.end = bytes.length
  }

  varint(record: number, field: string): number {
    // Most varints in a batch are one byte (small lengths and deltas): decode those without the loop.
    if (this.position < this.end) {
      const first = this.bytes[this.position]!
      if (first < 128) {
        this.position++
        return (first >>> 1) ^ -(first & 1)
      }
    }
    let unsigned = 0
    let multiplier = 1
    for (let index = 0; index < varintBytesMax; index++) {
      if (this.position >= this.end) throw invalid(`record ${record} ends inside its ${field}`)
      const byte = this.bytes[this.position++]!
      unsigned += (byte & 127) * multiplier
      if (byte < 128) return zigzagDecode(unsigned)
      multiplier *= 128
    }
    throw invalid(`record ${record} has a ${field} varint longer than ${varintBytesMax} bytes`)
  }

  skip(length: number, record: number, field: string): void {
    if (this.position + length > this.end) {
      throw invalid(`record ${record}'s ${field} of ${length} bytes runs past the record's end`)
    }
    this.position += length
  }

  /** A varint length (-1 for null) and that many bytes. Names are constants: no string is built per record. */
  nullableBytes(record: number, field: string, lengthField: string): void {
    const length = this.varint(record, lengthField)
    if (length === -1) return
    if (length < -1) throw invalid(`record ${record} has ${field} length ${length}`)
    this.skip(length, record, field)
  }
}

/** A fault found by the walk; checkBatchRecords names the batch and makes it a WeirError. */
class RecordFault extends Error {
  constructor(
    readonly code: 'INVALID_RECORD' | 'MESSAGE_TOO_LARGE',
    reason: string,
  ) {
    super(reason)
  }
}

function invalid(reason: string): RecordFault {
  return new RecordFault('INVALID_RECORD', reason)
}
