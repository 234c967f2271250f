// Opening the segments of a log after a clean close or a crash. A segment the clean-shutdown
// marker lists at its current size is known intact: its indexes are trusted when they decode and
// agree with the file. Every other segment is re-read batch by batch with CRC checks (after a
// crash: all of them). Segments below the recovery point were flushed, so damage in one is
// corruption: LOG_CORRUPTED, or with `onCorruption: 'truncate'` a cut at the first bad batch that
// drops every later segment and is reported. From the recovery point on, segments may have lost
// bytes in a crash: the log is cut at the first torn batch. Rolls happen in order and every fsync
// covers every earlier segment, so once one segment is torn no later segment can hold data any
// policy promised: those are deleted.
import { join } from 'node:path'
import { WeirError } from '@weir/protocol'
import type { FileIo } from './file-io.js'
import type { LogConfig } from './log-config.js'
import type { CorruptionCut, CorruptionPolicy } from './log-corruption.js'
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
  /** Segments re-read with CRC checks because the clean-shutdown marker did not vouch for them. */
  verifiedSegments?: number
  /** Set when damage in a flushed segment was cut ('truncate'): data the log once held is gone. */
  corruption?: CorruptionCut
}

export interface RecoveryState {
  /** The last close flushed everything. */
  readonly clean: boolean
  /** Every whole segment below this offset was flushed. */
  readonly recoveryPoint: number
  /** Base offset to size of the segments the clean-shutdown marker vouches for. */
  readonly knownClean: ReadonlyMap<number, number>
  readonly onCorruption: CorruptionPolicy
}

const scanChunkBytes = 1024 * 1024

/**
 * Opens and checks the segments with these base offsets (ascending). Resolves with the segments
 * kept; every one but the last is flushed when it resolves.
 */
export async function recoverSegments(
  io: FileIo,
  directory: string,
  baseOffsets: readonly number[],
  state: RecoveryState,
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
      if (state.clean || (nextBase !== undefined && nextBase <= state.recoveryPoint)) {
        const damage = await recoverFlushedSegment(io, segment, nextBase, state, config, report)
        if (damage === undefined) continue
        const later = baseOffsets.slice(index + 1)
        await cutCorruption(io, segment, damage, later, state.onCorruption, config, report)
        await dropSegments(io, directory, later, report)
        break
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

interface Damage {
  readonly fileSize: number
  readonly result: ScanResult & { problem: string }
}

/**
 * A segment below the recovery point (or any after a clean close): trusted when the marker vouches
 * for it, else re-read with CRC checks. Resolves with the damage found, if any (not yet acted on).
 */
async function recoverFlushedSegment(
  io: FileIo,
  segment: Segment,
  nextBase: number | undefined,
  state: RecoveryState,
  config: LogConfig,
  report: RecoveryReport,
): Promise<Damage | undefined> {
  const fileSize = await io.size(segment.fd)
  const vouched = state.knownClean.get(segment.baseOffset) === fileSize
  const indexes = vouched ? await loadIndexFiles(io, segment, fileSize) : undefined
  if (indexes === undefined || !(await adoptTrustedIndexes(io, segment, indexes, fileSize, config))) {
    if (vouched) report.rebuiltIndexes++
    else report.verifiedSegments = (report.verifiedSegments ?? 0) + 1
    const result = await rebuildFromLog(io, segment, fileSize, config)
    if (result.problem !== undefined) {
      // After a clean close the last segment may still hold a half-written batch of a failed write.
      if (nextBase === undefined && state.clean) {
        await cutTail(io, segment, fileSize, result, report)
        return undefined
      }
      return { fileSize, result: { position: result.position, problem: result.problem } }
    }
  }
  if (nextBase !== undefined && segment.nextOffset > nextBase) throw overlap(segment, nextBase)
  if (nextBase !== undefined && segment.nextOffset < nextBase) {
    const problem = `the segment ends at offset ${segment.nextOffset}, short of the next segment's base offset ${nextBase}`
    return { fileSize, result: { position: fileSize, problem } }
  }
  return undefined
}

/** Damage in a flushed segment: refused ('fail'), or cut there and reported ('truncate'). */
async function cutCorruption(
  io: FileIo,
  segment: Segment,
  { fileSize, result }: Damage,
  laterBases: readonly number[],
  policy: CorruptionPolicy,
  config: LogConfig,
  report: RecoveryReport,
): Promise<void> {
  const where = `${segment.logPath} is damaged at byte ${result.position} of ${fileSize}: ${result.problem}`
  if (policy === 'fail') throw new WeirError('LOG_CORRUPTED', where)
  const logEndOffsetBefore = await endBefore(io, segment, laterBases, config)
  await cutTail(io, segment, fileSize, result, report)
  await segment.removeIndexFiles()
  report.corruption = { offset: segment.nextOffset, logEndOffsetBefore, reason: where }
}

/**
 * Where the log ended before a cut at `segment`'s damage, as far as headers tell: the end of the
 * last segment (read without CRC checks, up to the first header that makes no sense), or at least
 * its base offset.
 */
async function endBefore(
  io: FileIo,
  segment: Segment,
  laterBases: readonly number[],
  config: LogConfig,
): Promise<number> {
  const lastBase = laterBases.at(-1)
  if (lastBase === undefined) return segment.nextOffset
  const directory = segment.directory
  const fd = await io.open(join(directory, segmentFileName(lastBase, logSuffix)))
  try {
    let end = lastBase
    const options = { verify: false, chunkBytes: scanChunkBytes, maxBatchBytes: config.maxBatchBytes }
    await scanBatches(io, fd, 0, await io.size(fd), options, (batch) => {
      end = Math.max(end, batch.lastOffset + 1)
      return true
    })
    return end
  } finally {
    await io.close(fd)
  }
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
