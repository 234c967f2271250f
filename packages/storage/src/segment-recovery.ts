// Opening the segments of a log after a clean close or a crash. Closed segments were fsynced when
// they rolled, so their indexes are trusted when intact and rebuilt (with CRC checks) when not;
// damage inside them is an error, never skipped. The active segment after a crash is re-read
// batch by batch with CRC checks and its torn or corrupt tail is cut.
import { join } from 'node:path'
import { WeirError } from '@weir/protocol'
import type { FileIo } from './file-io.js'
import type { LogConfig } from './log-config.js'
import { logSuffix, Segment, segmentFileName } from './segment.js'
import { type ScanResult, scanBatches } from './segment-scan.js'
import { SparseIndex } from './sparse-index.js'

export interface RecoveryReport {
  /** Bytes cut from the tail of the active segment (torn or corrupt data). */
  truncatedBytes: number
  /** Why the tail was cut, when it was. */
  truncationReason?: string
  /** Segments whose index files were missing or damaged and were rebuilt from the log. */
  rebuiltIndexes: number
}

const scanChunkBytes = 1024 * 1024

export async function recoverSegments(
  io: FileIo,
  directory: string,
  baseOffsets: readonly number[],
  clean: boolean,
  config: LogConfig,
  report: RecoveryReport,
): Promise<Segment[]> {
  const segments: Segment[] = []
  try {
    for (let index = 0; index < baseOffsets.length; index++) {
      const baseOffset = baseOffsets[index]!
      const fd = await io.open(join(directory, segmentFileName(baseOffset, logSuffix)), false)
      const segment = new Segment(io, directory, baseOffset, fd, config.indexIntervalBytes)
      segments.push(segment)
      const isActive = index === baseOffsets.length - 1
      await recoverSegment(io, segment, isActive, clean, config, report)
    }
  } catch (error) {
    await Promise.allSettled(segments.map((segment) => segment.close()))
    throw error
  }
  return segments
}

async function recoverSegment(
  io: FileIo,
  segment: Segment,
  isActive: boolean,
  clean: boolean,
  config: LogConfig,
  report: RecoveryReport,
): Promise<void> {
  const fileSize = await io.size(segment.fd)
  if (!isActive || clean) {
    const indexes = await loadIndexFiles(io, segment, fileSize)
    if (indexes !== undefined && (await adoptTrustedIndexes(io, segment, indexes, fileSize, config))) return
    report.rebuiltIndexes++
  }
  const result = await rebuildFromLog(io, segment, fileSize, config)
  if (result.position === fileSize) return
  if (!isActive) {
    throw new WeirError(
      'LOG_CORRUPTED',
      `${segment.logPath} is damaged at byte ${result.position} of ${fileSize}: ${result.problem}`,
    )
  }
  // Only the active segment can hold a torn write: everything before the cut was whole and intact.
  await io.truncate(segment.fd, result.position)
  await io.datasync(segment.fd)
  report.truncatedBytes += fileSize - result.position
  report.truncationReason = `${segment.logPath} at byte ${result.position}: ${result.problem}`
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
