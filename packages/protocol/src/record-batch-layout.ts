// Byte layout of a record batch header (big-endian) and the checks every holder of a batch runs.
// The full layout is in docs/record-batch.md; keep the two in step.
import { crc32c } from '@node-rs/crc32'
import { WeirError } from './weir-error.js'

/** Byte position of each header field from the start of the batch. */
export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  term: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  firstTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  records: 61,
} as const

export const batchHeaderBytes = BatchField.records
/** baseOffset and batchLength: the prefix that batchLength does not count. */
export const batchLengthPrefixBytes = BatchField.term
/** The CRC covers every byte from here to the end of the batch, so baseOffset and term can be patched. */
export const batchCrcStart = BatchField.attributes
export const batchMagic = 1

/** Kafka's codec numbers in the attributes' low three bits (5 to 7 are no codec). */
export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const
export type CompressionName = keyof typeof Compression
export const attributeCompressionMask = 0b111
export const attributeLogAppendTime = 0b1000
export const attributeControl = 0b10_0000

/** True for a broker-written control batch (a Raft no-op or membership change), which holds no user records. */
export function isControlBatch(buffer: Uint8Array, position = 0): boolean {
  return ((buffer as Buffer).readUInt16BE(position + BatchField.attributes) & attributeControl) !== 0
}

const twoPow32 = 2 ** 32
// 2^53 - 1 split into the high 32 bits: larger offsets cannot be JS numbers exactly.
const safeHighMax = 0x1fffff

export function readUint64(buffer: Uint8Array, position: number): number {
  const view = buffer as Buffer
  return view.readUInt32BE(position) * twoPow32 + view.readUInt32BE(position + 4)
}

export function writeUint64(buffer: Uint8Array, position: number, value: number): void {
  const view = buffer as Buffer
  const high = Math.floor(value / twoPow32)
  view.writeUInt32BE(high, position)
  view.writeUInt32BE(value - high * twoPow32, position + 4)
}

export function readInt64(buffer: Uint8Array, position: number): number {
  const view = buffer as Buffer
  return view.readInt32BE(position) * twoPow32 + view.readUInt32BE(position + 4)
}

export function writeInt64(buffer: Uint8Array, position: number, value: number): void {
  const view = buffer as Buffer
  const high = Math.floor(value / twoPow32)
  view.writeInt32BE(high, position)
  view.writeUInt32BE(value - high * twoPow32, position + 4)
}

export interface RecordBatchHeader {
  baseOffset: number
  /** Bytes after the batchLength field; the whole batch is batchLength + 12 bytes. */
  batchLength: number
  term: number
  magic: number
  crc: number
  attributes: number
  lastOffsetDelta: number
  firstTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordCount: number
}

/** Reads the fixed header at `position`; the caller guarantees batchHeaderBytes are there. */
export function readBatchHeader(buffer: Buffer, position = 0): RecordBatchHeader {
  return {
    baseOffset: readUint64(buffer, position),
    batchLength: buffer.readUInt32BE(position + BatchField.batchLength),
    term: buffer.readUInt32BE(position + BatchField.term),
    magic: buffer[position + BatchField.magic]!,
    crc: buffer.readUInt32BE(position + BatchField.crc),
    attributes: buffer.readUInt16BE(position + BatchField.attributes),
    lastOffsetDelta: buffer.readUInt32BE(position + BatchField.lastOffsetDelta),
    firstTimestamp: readInt64(buffer, position + BatchField.firstTimestamp),
    maxTimestamp: readInt64(buffer, position + BatchField.maxTimestamp),
    producerId: readInt64(buffer, position + BatchField.producerId),
    producerEpoch: buffer.readInt16BE(position + BatchField.producerEpoch),
    baseSequence: buffer.readInt32BE(position + BatchField.baseSequence),
    recordCount: buffer.readUInt32BE(position + BatchField.recordCount),
  }
}

/**
 * Size in bytes of the whole batch starting at `position`: its batchLength plus the prefix that
 * batchLength does not count. Reads the length field only; the caller guarantees
 * batchLengthPrefixBytes are there and checks the size against the bytes it has (inspectBatch).
 */
export function batchSizeAt(buffer: Uint8Array, position = 0): number {
  return (buffer as Buffer).readUInt32BE(position + BatchField.batchLength) + batchLengthPrefixBytes
}

/** How many offsets the batch starting at `position` takes: lastOffsetDelta + 1 (at least 1). */
export function offsetCountAt(buffer: Uint8Array, position = 0): number {
  return (buffer as Buffer).readUInt32BE(position + BatchField.lastOffsetDelta) + 1
}

/** The offset of the last record of the batch starting at `position`: baseOffset + lastOffsetDelta. */
export function lastOffsetAt(buffer: Uint8Array, position = 0): number {
  return (
    readUint64(buffer, position + BatchField.baseOffset) +
    (buffer as Buffer).readUInt32BE(position + BatchField.lastOffsetDelta)
  )
}

/** Sets baseOffset and term in place. Neither is covered by the CRC, so the batch stays valid. */
export function patchBatch(buffer: Buffer, position: number, baseOffset: number, term: number): void {
  writeUint64(buffer, position + BatchField.baseOffset, baseOffset)
  buffer.writeUInt32BE(term, position + BatchField.term)
}

/**
 * Why a batch failed its checks. `code` says whether sending it again may help: CORRUPT_MESSAGE
 * for a length or CRC failure (bytes damaged on the way), INVALID_RECORD for a batch whose CRC
 * holds but whose content can never be valid. `incomplete` means the bytes simply stop before the
 * batch ends.
 */
export type BatchCheck =
  | { readonly ok: true; readonly size: number }
  | {
      readonly ok: false
      readonly code: 'CORRUPT_MESSAGE' | 'INVALID_RECORD'
      readonly incomplete: boolean
      readonly reason: string
    }

/**
 * Checks the batch starting at `position` against the bytes up to `end` without throwing:
 * recovery uses it to find where a torn tail begins. Checks length bounds, magic, the CRC, then
 * the offset range and record count against lastOffsetDelta. The CRC comes before the fields it
 * covers, so a damaged recordCount is reported as damage (CORRUPT_MESSAGE), not as a batch its
 * producer built wrong (INVALID_RECORD).
 */
export function inspectBatch(buffer: Buffer, position: number, end: number): BatchCheck {
  const available = end - position
  if (available < batchLengthPrefixBytes) {
    return damaged(`only ${available} bytes, fewer than a batch prefix`, true)
  }
  const size = batchSizeAt(buffer, position)
  if (size < batchHeaderBytes) {
    return damaged(`batch length ${size - batchLengthPrefixBytes} is shorter than a header`, false)
  }
  if (size > available) {
    return damaged(`batch of ${size} bytes but only ${available} remain`, true)
  }
  const magic = buffer[position + BatchField.magic]
  if (magic !== batchMagic) return invalid(`unknown magic ${magic} (this version writes ${batchMagic})`)
  const storedCrc = buffer.readUInt32BE(position + BatchField.crc)
  const actualCrc = crc32c(buffer.subarray(position + batchCrcStart, position + size))
  if (storedCrc !== actualCrc) {
    return damaged(`CRC mismatch: stored ${hex(storedCrc)}, computed ${hex(actualCrc)}`, false)
  }
  if (buffer.readUInt32BE(position) > safeHighMax) return invalid('baseOffset is beyond 2^53')
  const recordCount = buffer.readUInt32BE(position + BatchField.recordCount)
  const lastOffsetDelta = buffer.readUInt32BE(position + BatchField.lastOffsetDelta)
  // The log cleaner of a compacted topic drops records but keeps each batch's offset range, so a
  // stored batch may hold fewer records than offsets (even none). A producer's batch must hold
  // exactly one per offset: Produce checks that (checkBatchRecords).
  if (recordCount > lastOffsetDelta + 1) {
    return invalid(`recordCount ${recordCount} is above lastOffsetDelta + 1 (${lastOffsetDelta + 1})`)
  }
  return { ok: true, size }
}

function damaged(reason: string, incomplete: boolean): BatchCheck {
  return { ok: false, code: 'CORRUPT_MESSAGE', incomplete, reason }
}

function invalid(reason: string): BatchCheck {
  return { ok: false, code: 'INVALID_RECORD', incomplete: false, reason }
}

/**
 * Checks that `buffer` holds exactly one whole, intact batch and returns its header; anything
 * else is a typed error saying what is wrong: CORRUPT_MESSAGE for a length or CRC failure,
 * INVALID_RECORD for a batch that can never be valid.
 */
export function validateBatch(buffer: Buffer): RecordBatchHeader {
  const check = inspectBatch(buffer, 0, buffer.length)
  if (!check.ok) throw new WeirError(check.code, `invalid record batch: ${check.reason}`)
  if (check.size !== buffer.length) {
    throw new WeirError(
      'CORRUPT_MESSAGE',
      `invalid record batch: header says ${check.size} bytes but ${buffer.length} were given`,
    )
  }
  return readBatchHeader(buffer, 0)
}

export function computeBatchCrc(buffer: Buffer, position: number, size: number): number {
  return crc32c(buffer.subarray(position + batchCrcStart, position + size))
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`
}
