// Walks the batches of a segment file in bounded chunks. Recovery runs it with `verify` (CRC of
// every batch) to find a torn tail; lookups run it without, reading headers only.
import {
  BatchField,
  batchHeaderBytes,
  batchMagic,
  batchSizeAt,
  inspectBatch,
  lastOffsetAt,
  readInt64,
  readUint64,
} from '@weir/protocol'
import type { FileIo } from './file-io.js'

export interface ScannedBatch {
  readonly position: number
  readonly size: number
  readonly baseOffset: number
  readonly lastOffset: number
  readonly firstTimestamp: number
  readonly maxTimestamp: number
  readonly term: number
}

export interface ScanOptions {
  /** Check each batch's CRC (needs the whole batch in memory) rather than its header alone. */
  readonly verify: boolean
  /** Bytes read per chunk; a larger batch is read whole. */
  readonly chunkBytes: number
  /** A length field above this is damage, not a batch. */
  readonly maxBatchBytes: number
}

export interface ScanResult {
  /** Where the scan stopped: `end`, the first bad batch, or the batch the visitor declined. */
  readonly position: number
  /** Set when the scan stopped at a batch that failed its checks. */
  readonly problem?: string
}

/** Visits batches from `position` up to `end` in order; the visitor returns false to stop before a batch. */
export async function scanBatches(
  io: FileIo,
  fd: number,
  position: number,
  end: number,
  options: ScanOptions,
  visit: (batch: ScannedBatch) => boolean | undefined,
): Promise<ScanResult> {
  let buffer: Buffer = Buffer.alloc(0)
  let bufferStart = position
  while (position < end) {
    let at = position - bufferStart
    if (buffer.length - at < batchHeaderBytes) {
      buffer = await io.read(fd, position, Math.min(end - position, options.chunkBytes))
      bufferStart = position
      at = 0
      if (buffer.length < batchHeaderBytes) {
        return { position, problem: `${end - position} trailing bytes are too few for a batch header` }
      }
    }
    const size = batchSizeAt(buffer, at)
    const structural = checkStructure(buffer, at, size, end - position, options.maxBatchBytes)
    if (structural !== undefined) return { position, problem: structural }
    if (options.verify) {
      if (buffer.length - at < size) {
        buffer = await io.read(fd, position, Math.max(size, Math.min(end - position, options.chunkBytes)))
        bufferStart = position
        at = 0
      }
      const check = inspectBatch(buffer, at, at + size)
      if (!check.ok) return { position, problem: check.reason }
    }
    const baseOffset = readUint64(buffer, at)
    const batch: ScannedBatch = {
      position,
      size,
      baseOffset,
      lastOffset: lastOffsetAt(buffer, at),
      firstTimestamp: readInt64(buffer, at + BatchField.firstTimestamp),
      maxTimestamp: readInt64(buffer, at + BatchField.maxTimestamp),
      term: buffer.readUInt32BE(at + BatchField.term),
    }
    if (visit(batch) === false) return { position }
    position += size
  }
  return { position }
}

function checkStructure(
  buffer: Buffer,
  at: number,
  size: number,
  remaining: number,
  maxBatchBytes: number,
): string | undefined {
  if (size < batchHeaderBytes) return `batch length field says ${size} bytes, less than a header`
  if (size > maxBatchBytes)
    return `batch length field says ${size} bytes, above the ${maxBatchBytes}-byte maximum`
  if (size > remaining) return `batch of ${size} bytes is cut off after ${remaining} bytes`
  if (buffer[at + BatchField.magic] !== batchMagic)
    return `unknown magic byte ${buffer[at + BatchField.magic]}`
  return undefined
}
