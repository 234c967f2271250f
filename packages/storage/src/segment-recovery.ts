// Opening the segments of a log after a clean close or a crash. Segments below the recovery point
// were flushed (bytes, directory entry, index files) before it was persisted, so their indexes are
// trusted when intact and rebuilt (with CRC checks) when not, and damage inside them is an error,
// never skipped. From the recovery point on, segments may have lost bytes in a crash: each is
// re-read batch by batch with CRC checks and the log is cut at the first torn or corrupt batch.
// Rolls happen in order and every fsync covers every earlier segment, so once one segment is torn
// no later segment can hold data any policy promised: those are deleted.
import { join } from 'node:path'
import { WeirError } from '@weir/protocol'
import type { FileIo } from './file-io.js'
import type { LogConfig } from './log-config.js'
import { indexSuffix, logSuffix, Segment, segmentFileName, timeIndexSuffix } from './segment.js'
import { type ScanResult, scanBatches } from './segment-scan.js'
import { SparseIndex } from './sparse-index.js'

export interface RecoveryReport {
  /** Bytes cut from the log's tail: torn or corrupt data, and whole segments after a torn one. */
  truncatedBytes: number
  /** Why the tail was cut, when it was. */
  truncationReason?: string
  /** Segments whose index files were missing or damaged and were rebuilt from the log. */
  rebuiltIndexes: number
  /** Whole segments deleted because an earlier segment was torn (set when any were). */
  droppedSegments?: number
}

const scanChunkBytes = 1024 * 1024

/**
 * Opens and checks the segments with these base offsets (ascending). `clean` says the last close
 * flushed everything; `recoveryPoint` is the offset below which every whole segment was flushed.
 * Resolves with the segments kept; every one but the last is flushed when it resolves.
 */
export async function recoverSegments(
  io: FileIo,
  directory: string,
  baseOffsets: readonly number[],
  clean: boolean,
  recoveryPoint: number,
  config: LogConfig,
  report: RecoveryReport,
): Promise<Segment[]> {
  const segments: Segment[] = []
  try {
    for (let index = 0; index < baseOffsets.length; index++) {
      const baseOffset = baseOffsets[index]!
      const nextBase = baseOffsets[index + 1]
      const fd = await io.open(join(directory, segmentFileName(baseOffset, logSuffix)))
      const segment = new Segment(io, directory, baseOffset, fd, config.indexIntervalBytes)
      segments.push(segment)
      if (clean || (nextBase !== undefined && nextBase <= recoveryPoint)) {
        await recoverFlushedSegment(io, segment, nextBase, config, report)
        continue
      }
      const intact = await recoverUnflushedSegment(io, segment, config, report)
      if (nextBase === undefined) break
      if (intact && segment.nextOffset === nextBase) {
        // Flushed now, so the recovery point can move past it.
        await io.datasync(segment.fd)
        await segment.writeIndexFiles()
        continue
      }
      if (segment.nextOffset > nextBase) throw overlap(segment, nextBase)
      report.truncationReason ??= `${segment.logPath} ends at offset ${segment.nextOffset}, short of the next segment's base offset ${nextBase}`
      await segment.removeIndexFiles()
      await dropSegments(io, directory, baseOffsets.slice(index + 1), report)
      break
    }
  } catch (error) {
    await Promise.allSettled(segments.map((segment) => segment.close()))
    throw error
  }
  return segments
}

/** A segment below the recovery point (or any after a clean close): damage is reported, not cut. */
async function recoverFlushedSegment(
  io: FileIo,
  segment: Segment,
  nextBase: number | undefined,
  config: LogConfig,
  report: RecoveryReport,
): Promise<void> {
  const fileSize = await io.size(segment.fd)
  const indexes = await loadIndexFiles(io, segment, fileSize)
  if (indexes === undefined || !(await adoptTrustedIndexes(io, segment, indexes, fileSize, config))) {
    report.rebuiltIndexes++
    const result = await rebuildFromLog(io, segment, fileSize, config)
    if (result.position !== fileSize) {
      // After a clean close the last segment may still hold a half-written batch of a failed write.
      if (nextBase === undefined) return cutTail(io, segment, fileSize, result, report)
      throw new WeirError(
        'LOG_CORRUPTED',
        `${segment.logPath} is damaged at byte ${result.position} of ${fileSize}: ${result.problem}`,
      )
    }
  }
  if (nextBase !== undefined && segment.nextOffset !== nextBase) throw overlap(segment, nextBase)
}

/** A segment the crash may have torn: re-read with CRC checks, cut at the first bad batch. */
async function recoverUnflushedSegment(
  io: FileIo,
  segment: Segment,
  config: LogConfig,
  report: RecoveryReport,
): Promise<boolean> {
  const fileSize = await io.size(segment.fd)
  const result = await rebuildFromLog(io, segment, fileSize, config)
  if (result.position === fileSize) return true
  await cutTail(io, segment, fileSize, result, report)
  return false
}

async function cutTail(
  io: FileIo,
  segment: Segment,
  fileSize: number,
  result: ScanResult,
  report: RecoveryReport,
): Promise<void> {
  // Everything before the cut was whole and intact.
  await io.truncate(segment.fd, result.position)
  await io.datasync(segment.fd)
  report.truncatedBytes += fileSize - result.position
  report.truncationReason = `${segment.logPath} at byte ${result.position}: ${result.problem}`
}

function overlap(segment: Segment, nextBase: number): WeirError {
  return new WeirError(
    'LOG_CORRUPTED',
    `${segment.logPath} ends at offset ${segment.nextOffset} but the next segment starts at ${nextBase}`,
  )
}

/** Deletes the files of segments after a torn one, newest first, then makes that durable. */
async function dropSegments(
  io: FileIo,
  directory: string,
  baseOffsets: readonly number[],
  report: RecoveryReport,
): Promise<void> {
  for (const baseOffset of [...baseOffsets].reverse()) {
    const logPath = join(directory, segmentFileName(baseOffset, logSuffix))
    const fd = await io.open(logPath)
    try {
      report.truncatedBytes += await io.size(fd)
    } finally {
      await io.close(fd)
    }
    for (const suffix of [indexSuffix, timeIndexSuffix]) {
      const path = join(directory, segmentFileName(baseOffset, suffix))
      if (await io.exists(path)) await io.unlink(path)
    }
    await io.unlink(logPath)
  }
  report.droppedSegments = (report.droppedSegments ?? 0) + baseOffsets.length
  await io.syncDirectory(directory)
}

async function loadIndexFiles(io: FileIo, segment: Segment, fileSize: number) {
  if (!(await io.exists(segment.indexPath)) || !(await io.exists(segment.timeIndexPath))) return undefined
  const offsetIndex = SparseIndex.decode(await io.readFile(segment.indexPath), 4, Math.max(fileSize - 1, 0))
  const timeIndex = SparseIndex.decode(await io.readFile(segment.timeIndexPath), 8, 2 ** 32 - 1)
  return offsetIndex && timeIndex ? { offsetIndex, timeIndex } : undefined
}

/**
 * Takes the index files as they are, then reads the headers after the last offset-index entry to
 * find the segment's end. Returns false when those headers disagree with the file (the indexes are
 * then rebuilt from the whole segment).
 */
async function adoptTrustedIndexes(
  io: FileIo,
  segment: Segment,
  indexes: { offsetIndex: SparseIndex; timeIndex: SparseIndex },
  fileSize: number,
  config: LogConfig,
): Promise<boolean> {
  segment.adoptIndexes(indexes.offsetIndex, indexes.timeIndex)
  const start = indexes.offsetIndex.lastValue ?? 0
  const expectedBase = segment.baseOffset + (indexes.offsetIndex.lastKey ?? 0)
  let first = true
  let consistent = true
  const result = await scanBatches(
    io,
    segment.fd,
    start,
    fileSize,
    { verify: false, chunkBytes: scanChunkBytes, maxBatchBytes: config.maxBatchBytes },
    (batch) => {
      if (first && batch.baseOffset !== expectedBase) consistent = false
      first = false
      segment.noteTimestamp(batch)
      segment.nextOffset = batch.lastOffset + 1
      return consistent
    },
  )
  if (!consistent || result.position !== fileSize) {
    segment.resetIndexes()
    return false
  }
  segment.size = fileSize
  return true
}

async function rebuildFromLog(
  io: FileIo,
  segment: Segment,
  fileSize: number,
  config: LogConfig,
): Promise<ScanResult> {
  segment.resetIndexes()
  let expectedOffset = segment.baseOffset
  let lastTerm = 0
  let problem: string | undefined
  const result = await scanBatches(
    io,
    segment.fd,
    0,
    fileSize,
    { verify: true, chunkBytes: scanChunkBytes, maxBatchBytes: config.maxBatchBytes },
    (batch) => {
      // baseOffset and term sit outside the CRC (they are patched in place), so check them by
      // what must hold: offsets in a segment are contiguous, terms never go down.
      if (batch.baseOffset !== expectedOffset) {
        problem = `batch baseOffset ${batch.baseOffset} where ${expectedOffset} was expected`
      } else if (batch.term < lastTerm) {
        problem = `batch term ${batch.term} after term ${lastTerm}`
      }
      if (problem) return false
      expectedOffset = batch.lastOffset + 1
      lastTerm = batch.term
      segment.recordBatch(batch)
      return true
    },
  )
  return problem ? { position: result.position, problem } : result
}
