// One clean of a compacted partition log: the I/O around compaction-plan.ts. Reads closed segments
// below the cleanable end twice (first to learn each key's latest offset, then to rewrite), writes
// each changed segment to `<base>.log.cleaned`, fsyncs it and hands it to the log, which swaps it
// in (see PartitionLog.clean). Memory: the key map (bounded by keysMax) and one read chunk or batch.
import type { Clock, Timers } from '@weir/protocol'
import { batchHeaderBytes, batchSizeAt, inspectBatch, WeirError } from '@weir/protocol'
import { readBatchRecords, rewriteBatch } from './batch-rewrite.js'
import { readCleanerCheckpoint, writeCleanerCheckpoint } from './cleaner-checkpoint.js'
import { CleanerThrottle } from './cleaner-throttle.js'
import { LatestOffsetMap, recordPass, survivesClean, tombstoneCutoffOffset } from './compaction-plan.js'
import type { FileIo } from './file-io.js'
import type { Segment } from './segment.js'

export const cleanedSuffix = '.cleaned'

export interface CleanOptions {
  /**
   * Offsets at or above this are never cleaned: the commit point (high watermark) the broker
   * gives, so a replica never rewrites what a new leader might still truncate.
   */
  readonly cleanableEndOffset: number
  /** Read and write pace; default unlimited. */
  readonly bytesPerSecond?: number
  /** Keys one clean may track; default 1,000,000 (see LatestOffsetMap for the cost per key). */
  readonly keysMax?: number
}

export interface CleanResult {
  /** Segments rewritten and swapped in. */
  readonly cleanedSegments: number
  readonly recordsRemoved: number
  readonly bytesBefore: number
  readonly bytesAfter: number
  /** Offsets below this were cleaned by this pass; 0 when nothing was cleaned. */
  readonly cleanedEndOffset: number
}

/** What the cleaner needs of its log. */
export interface CleanerHost {
  readonly io: FileIo
  readonly directory: string
  readonly clock: Clock
  readonly timers: Timers
  readonly deleteRetentionMs: number
  /** Closed, flushed segments wholly below `endOffset`, oldest first. */
  cleanableSegments(endOffset: number): Promise<Segment[]>
  /** Swaps the file at `cleanedPath` in for `segment`; false (file removed) when the segment changed meanwhile. */
  swap(segment: Segment, sizeBefore: number, cleanedPath: string): Promise<boolean>
}

export const defaultCleanerKeysMax = 1_000_000
const chunkBytes = 1024 * 1024

const nothingCleaned: CleanResult = {
  cleanedSegments: 0,
  recordsRemoved: 0,
  bytesBefore: 0,
  bytesAfter: 0,
  cleanedEndOffset: 0,
}

/**
 * Cleans what is cleanable when there is something to do: segments past the last pass, or
 * tombstones whose retention ran out since. Errors: LOG_CORRUPTED when a segment read fails its
 * CRC (nothing is swapped), INVALID_CONFIG when a single segment holds more keys than keysMax.
 */
export async function cleanLog(host: CleanerHost, options: CleanOptions): Promise<CleanResult> {
  let segments = await host.cleanableSegments(options.cleanableEndOffset)
  if (segments.length === 0) return nothingCleaned
  const now = host.clock.now()
  const checkpoint = await readCleanerCheckpoint(host.io, host.directory)
  const tombstoneCutoff = tombstoneCutoffOffset(checkpoint.passes, now, host.deleteRetentionMs)
  // As in Kafka: the key map covers only the dirty segments (past the last pass); the clean ones
  // below already hold at most one record per key of their range, and are cleaned against it.
  const cleanedBefore = checkpoint.passes.at(-1)?.endOffset ?? 0
  const dirtyFrom = segments.findIndex((segment) => segment.nextOffset > cleanedBefore)
  if (dirtyFrom < 0 && tombstoneCutoff <= checkpoint.tombstoneCutoff) return nothingCleaned
  const throttle = new CleanerThrottle(
    options.bytesPerSecond ?? Number.POSITIVE_INFINITY,
    host.clock,
    host.timers,
  )
  const keysMax = options.keysMax ?? defaultCleanerKeysMax
  let latest = new LatestOffsetMap(keysMax)
  if (dirtyFrom >= 0) {
    const dirty = segments.slice(dirtyFrom)
    let mapped = await mapKeys(dirty, keysMax, throttle)
    if (mapped.fitted === 0) {
      throw new WeirError(
        'INVALID_CONFIG',
        `${dirty[0]!.logPath} holds more than ${keysMax} keys: raise the cleaner's keysMax or lower segmentBytes`,
      )
    }
    if (mapped.fitted < dirty.length) {
      // The rest waits for the next clean, which maps from where this one ends.
      segments = segments.slice(0, dirtyFrom + mapped.fitted)
      mapped = await mapKeys(dirty.slice(0, mapped.fitted), keysMax, throttle)
    }
    latest = mapped.map
  }
  let result = { ...nothingCleaned, cleanedEndOffset: segments.at(-1)!.nextOffset }
  for (const segment of segments) {
    const cleaned = await cleanSegment(host, segment, latest, tombstoneCutoff, throttle)
    result = {
      ...result,
      cleanedSegments: result.cleanedSegments + (cleaned.swapped ? 1 : 0),
      recordsRemoved: result.recordsRemoved + (cleaned.swapped ? cleaned.recordsRemoved : 0),
      bytesBefore: result.bytesBefore + cleaned.bytesBefore,
      bytesAfter: result.bytesAfter + (cleaned.swapped ? cleaned.bytesAfter : cleaned.bytesBefore),
    }
  }
  const pass = { endOffset: result.cleanedEndOffset, cleanedAtMs: now }
  const passes = recordPass(checkpoint.passes, pass, host.deleteRetentionMs)
  await writeCleanerCheckpoint(host.io, host.directory, { passes, tombstoneCutoff })
  return result
}

/** Key -> latest offset over `segments`, and how many whole segments fitted in keysMax. */
async function mapKeys(
  segments: readonly Segment[],
  keysMax: number,
  throttle: CleanerThrottle,
): Promise<{ map: LatestOffsetMap; fitted: number }> {
  const map = new LatestOffsetMap(keysMax)
  for (let index = 0; index < segments.length; index++) {
    let full = false
    await forEachBatch(segments[index]!, throttle, (batch) => {
      for (const record of readBatchRecords(batch).records) {
        if (record.key !== null && !map.note(record.key.toString('latin1'), record.offset)) full = true
      }
      return !full
    })
    if (full) return { map, fitted: index }
  }
  return { map, fitted: segments.length }
}

interface SegmentClean {
  readonly swapped: boolean
  readonly recordsRemoved: number
  readonly bytesBefore: number
  readonly bytesAfter: number
}

async function cleanSegment(
  host: CleanerHost,
  segment: Segment,
  latest: LatestOffsetMap,
  tombstoneCutoff: number,
  throttle: CleanerThrottle,
): Promise<SegmentClean> {
  const sizeBefore = segment.size
  const cleanedPath = `${segment.logPath}${cleanedSuffix}`
  const { io } = host
  if (await io.exists(cleanedPath)) await io.unlink(cleanedPath)
  const fd = await io.open(cleanedPath, { create: true })
  let written = 0
  let removed = 0
  try {
    await forEachBatch(segment, throttle, async (batch) => {
      const { records, control } = readBatchRecords(batch)
      const kept = control
        ? batch
        : rewriteBatch(batch, (index) => {
            const record = records[index]!
            const key = record.key === null ? undefined : record.key.toString('latin1')
            const planned = { offset: record.offset, key, tombstone: record.value === null }
            const survives = survivesClean(planned, latest, tombstoneCutoff)
            if (!survives) removed++
            return survives
          })
      await io.writev(fd, [kept], written)
      written += kept.length
      await throttle.spend(kept.length)
      return true
    })
    await io.datasync(fd)
  } finally {
    await io.close(fd)
  }
  if (removed === 0) {
    await io.unlink(cleanedPath)
    return { swapped: false, recordsRemoved: 0, bytesBefore: sizeBefore, bytesAfter: sizeBefore }
  }
  // The .cleaned entry must be durable before the rename can replace the segment with it.
  await io.syncDirectory(host.directory)
  const swapped = await host.swap(segment, sizeBefore, cleanedPath)
  return { swapped, recordsRemoved: removed, bytesBefore: sizeBefore, bytesAfter: written }
}

/**
 * Visits the whole batches of a segment in order, reading about a chunk at a time (a larger batch
 * whole), each checked against its CRC. The visitor returns false to stop.
 */
async function forEachBatch(
  segment: Segment,
  throttle: CleanerThrottle,
  visit: (batch: Buffer) => boolean | Promise<boolean>,
): Promise<void> {
  let position = 0
  const end = segment.size
  while (position < end) {
    let buffer = await segment.read(position, Math.min(chunkBytes, end - position))
    if (buffer.length >= batchHeaderBytes && batchSizeAt(buffer, 0) > buffer.length) {
      buffer = await segment.read(position, Math.min(batchSizeAt(buffer, 0), end - position))
    }
    await throttle.spend(buffer.length)
    let at = 0
    while (at + batchHeaderBytes <= buffer.length) {
      const size = batchSizeAt(buffer, at)
      if (at + size > buffer.length) break
      const check = inspectBatch(buffer, at, at + size)
      if (!check.ok) {
        throw new WeirError(
          'LOG_CORRUPTED',
          `cleaning ${segment.logPath}: the batch at byte ${position + at} is damaged (${check.reason}); nothing was swapped, the next read of it reports the damage`,
        )
      }
      if ((await visit(buffer.subarray(at, at + size))) === false) return
      at += size
    }
    if (at === 0) {
      throw new WeirError(
        'LOG_CORRUPTED',
        `cleaning ${segment.logPath}: a batch header is cut off at byte ${position}`,
      )
    }
    position += at
  }
}
