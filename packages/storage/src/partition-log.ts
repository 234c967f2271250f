// One partition's log: an ordered list of segments, offsets assigned on append, whole batches
// served on read. Mutations (appends, truncations, retention, close) run one at a time through a
// serial queue; appends queued together are written with one writev. Reads run concurrently and
// only ever see batches whose write has completed. A rolled segment is flushed in the background
// (see segment-flusher.ts); the persisted recovery point says how far flushing got.

import { join } from 'node:path'
import type { Clock, Timers } from '@weir/protocol'
import {
  batchHeaderBytes,
  batchSizeAt,
  decodeRecordBatch,
  inspectBatch,
  lastOffsetAt,
  patchBatch,
  validateBatch,
  WeirError,
} from '@weir/protocol'
import { truncateCleanerCheckpoint } from './cleaner-checkpoint.js'
import type { FileIo } from './file-io.js'
import { GroupCommit } from './group-commit.js'
import { storageError } from './io-errors.js'
import { type CleanOptions, type CleanResult, cleanLog } from './log-cleaner.js'
import { type LogConfig, resolveLogConfig } from './log-config.js'
import { type CorruptionPolicy, LogCorruption } from './log-corruption.js'
import {
  clearCleanShutdown,
  markCleanShutdown,
  newLogMeta,
  prepareLogDirectory,
  writeLogMeta,
  writeRecoveryPoint,
} from './log-directory.js'
import { segmentsToDelete } from './retention.js'
import { Segment, segmentFileName } from './segment.js'
import { SegmentFlusher } from './segment-flusher.js'
import { type RecoveryReport, recoverSegments } from './segment-recovery.js'
import { type ScannedBatch, scanBatches } from './segment-scan.js'
import { SerialQueue } from './serial-queue.js'
import { resolveStorageEnvironment, type StorageEnvironment } from './storage-environment.js'
import type { SyncScheduler } from './sync-rounds.js'

/** `io`, `clock` and `timers` from the environment (a log has no use for `random`). */
export interface PartitionLogOptions extends StorageEnvironment {
  readonly config?: Partial<LogConfig>
  /** @deprecated use `clock`: the clock for segment age and retention, in ms since the epoch. */
  readonly now?: () => number
  /** Shared fsync rounds of the data directory (a TopicStore's); alone otherwise. */
  readonly syncRounds?: SyncScheduler
  /** Damage in a flushed segment at open: 'fail' (default, LOG_CORRUPTED) or 'truncate' (cut there, see `recovery.corruption`). */
  readonly onCorruption?: CorruptionPolicy
}

export interface AppendOptions {
  /** Raft term written into the batch header; 0 outside Raft. */
  readonly term?: number
}

export interface AppendResult {
  readonly baseOffset: number
  readonly lastOffset: number
  readonly maxTimestamp: number
}

export interface ReadResult {
  /** Whole batches, back to back, exactly as stored. The first may start below the requested offset. */
  readonly bytes: Buffer
  /** The offset to read from next: after the last returned batch, or the requested offset when empty. */
  readonly nextOffset: number
  readonly logStartOffset: number
  readonly logEndOffset: number
}

export interface RetentionResult {
  readonly deletedSegments: number
  readonly logStartOffset: number
}

interface PendingAppend {
  readonly batch: Buffer
  readonly term: number
  readonly recordCount: number
  readonly maxTimestamp: number
  readonly resolve: (result: AppendResult) => void
  readonly reject: (error: unknown) => void
}

interface PlannedWrite {
  readonly pending: PendingAppend
  readonly position: number
  readonly baseOffset: number
}

// One writev carries at most this many batches (the kernel's IOV_MAX) and roughly this many bytes.
const writeBatchesMax = 1024
const writeBytesMax = 8 * 1024 * 1024
const relativeOffsetMax = 2 ** 32 - 1
const scanChunkBytes = 64 * 1024
// Rolled segments whose background flush has not finished; a roll past this waits for the oldest.
const rolledSegmentsUnflushedMax = 4
// A read retries when a cleaned segment was swapped in under it; more swaps than this in one read is not expected.
const readAttemptsMax = 4

export class PartitionLog {
  readonly config: LogConfig
  readonly recovery: RecoveryReport
  private segments: Segment[]
  private nextOffset: number
  private startOffset: number
  private readonly queue = new SerialQueue()
  private openGroup: PendingAppend[] | undefined
  private readonly durability: GroupCommit
  private readonly flusher: SegmentFlusher
  private closed = false
  /** Segments (base offsets) a read found damaged: the clean-shutdown marker must not vouch for them. */
  private readonly damagedSegments = new Set<number>()
  /** The last damage a read located, so truncateSuffix can cut there without reading the bad batch. */
  private knownDamage: LogCorruption | undefined
  /** Counts cleaned segments swapped in, so a read that met a swapped-out segment knows to retry. */
  private cleanedSwaps = 0
  private cleaning: Promise<CleanResult> | undefined
  private readonly timers: Timers

  private constructor(
    readonly directory: string,
    private readonly io: FileIo,
    private readonly clock: Clock,
    timers: Timers,
    config: LogConfig,
    segments: Segment[],
    startOffset: number,
    recovery: RecoveryReport,
    syncRounds: SyncScheduler | undefined,
  ) {
    this.config = config
    this.timers = timers
    this.segments = segments
    this.recovery = recovery
    this.nextOffset = this.active.nextOffset
    this.startOffset = Math.max(startOffset, segments[0]!.baseOffset)
    this.durability = new GroupCommit(
      config.fsync,
      {
        sync: () => this.syncWritten(),
        toError: (error) => storageError(`fsync of ${this.directory}`, error),
      },
      this.nextOffset,
      syncRounds,
      timers,
    )
    this.flusher = new SegmentFlusher(io, directory, {
      synced: (endOffset) => this.durability.markSynced(endOffset),
      persistRecoveryPoint: (endOffset) => writeRecoveryPoint(io, directory, endOffset),
      toError: (segment, error) => storageError(`flushing rolled segment ${segment.logPath}`, error),
      failed: (error) => this.durability.fail(error),
    })
  }

  /**
   * Opens the log in `directory`, creating it when missing or empty, and recovers from a crash:
   * every segment the clean-shutdown marker does not vouch for is re-read with CRC checks, the log
   * is cut at the first torn batch from the recovery point on; missing or damaged indexes are
   * rebuilt. Errors: NOT_A_WEIR_LOG, LOG_CORRUPTED (a segment below the recovery point is damaged,
   * unless `onCorruption` is 'truncate'), INVALID_CONFIG, STORAGE_ERROR.
   */
  static async open(directory: string, options: PartitionLogOptions = {}): Promise<PartitionLog> {
    const config = resolveLogConfig(options.config)
    const { io, clock, timers } = resolveStorageEnvironment(options)
    try {
      const state = await prepareLogDirectory(io, directory)
      const report: RecoveryReport = { truncatedBytes: 0, rebuiltIndexes: 0 }
      const bases = state.segmentBaseOffsets
      // A log from before recovery points fsynced every segment when it rolled.
      const recoveryPoint = state.recoveryPoint ?? bases.at(-1) ?? 0
      const recoveryState = {
        clean: state.clean,
        recoveryPoint,
        knownClean: state.knownClean,
        onCorruption: options.onCorruption ?? 'fail',
      }
      const segments = await recoverSegments(io, directory, bases, recoveryState, config, report)
      if (segments.length === 0) {
        segments.push(
          await Segment.create(io, directory, state.meta.logStartOffset, config.indexIntervalBytes),
        )
      }
      for (const segment of segments) if (!segment.isEmpty) segment.rollStartMs = clock.now()
      // Recovery flushed every segment before the active one.
      const activeBase = segments.at(-1)!.baseOffset
      if (state.recoveryPoint !== activeBase) await writeRecoveryPoint(io, directory, activeBase)
      await clearCleanShutdown(io, directory)
      const start = state.meta.logStartOffset
      const syncRounds = options.syncRounds
      return new PartitionLog(directory, io, clock, timers, config, segments, start, report, syncRounds)
    } catch (error) {
      throw storageError(`opening log ${directory}`, error)
    }
  }

  get logStartOffset(): number {
    return this.startOffset
  }

  /** The offset the next appended record gets. */
  get logEndOffset(): number {
    return this.nextOffset
  }

  /** Offsets below this are as durable as the fsync policy promises (always: on stable storage). */
  get durableEndOffset(): number {
    return this.config.fsync === 'always' ? this.durability.syncedEndOffset : this.nextOffset
  }

  get sizeBytes(): number {
    return this.segments.reduce((total, segment) => total + segment.size, 0)
  }

  get segmentBaseOffsets(): number[] {
    return this.segments.map((segment) => segment.baseOffset)
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!
  }

  /**
   * Appends one client-built batch. Assigns its offsets and writes them and `term` into the
   * caller's buffer in place (the CRC does not cover them); the log owns the buffer until the
   * promise settles. Resolves once the batch is as durable as the fsync policy says.
   * Errors: CORRUPT_MESSAGE (bad length or CRC) or INVALID_RECORD (magic, record count), with
   * nothing written; MESSAGE_TOO_LARGE, DISK_FULL and STORAGE_ERROR (nothing written), LOG_CLOSED.
   */
  append(batch: Buffer, options: AppendOptions = {}): Promise<AppendResult> {
    try {
      this.checkUsable()
      if (batch.length > this.config.maxBatchBytes) {
        throw new WeirError(
          'MESSAGE_TOO_LARGE',
          `batch of ${batch.length} bytes exceeds maxBatchBytes ${this.config.maxBatchBytes} of ${this.directory}`,
        )
      }
      const header = validateBatch(batch)
      return new Promise<AppendResult>((resolve, reject) => {
        const pending = {
          batch,
          term: options.term ?? 0,
          // Offsets, not records: a batch from a compacted log may hold fewer records than its range.
          recordCount: header.lastOffsetDelta + 1,
          maxTimestamp: header.maxTimestamp,
          resolve,
          reject,
        }
        this.enqueue(pending)
      })
    } catch (error) {
      return Promise.reject(error)
    }
  }

  private enqueue(pending: PendingAppend): void {
    if (this.openGroup === undefined) {
      const group: PendingAppend[] = []
      this.openGroup = group
      void this.queue.run(() => this.writeGroup(group))
    }
    this.openGroup.push(pending)
  }

  /** Any operation other than an append closes the open group, so queue order is call order. */
  private serially<T>(operation: () => Promise<T>): Promise<T> {
    this.openGroup = undefined
    return this.queue.run(async () => {
      this.checkUsable()
      return operation()
    })
  }

  private async writeGroup(group: PendingAppend[]): Promise<void> {
    if (this.openGroup === group) this.openGroup = undefined
    let next = 0
    while (next < group.length) {
      if (this.closed || this.durability.failure) {
        const error = this.durability.failure ?? new WeirError('LOG_CLOSED', `${this.directory} closed`)
        for (const pending of group.slice(next)) pending.reject(error)
        return
      }
      if (this.needsRoll(this.active.size, this.nextOffset, group[next]!)) {
        try {
          await this.roll()
        } catch (error) {
          const typed = storageError(`rolling a new segment in ${this.directory}`, error)
          for (const pending of group.slice(next)) pending.reject(typed)
          return
        }
      }
      const planned = this.plan(group, next)
      next += planned.length
      await this.write(planned)
    }
  }

  private needsRoll(segmentSize: number, nextOffset: number, pending: PendingAppend): boolean {
    if (segmentSize === 0) return false
    const segment = this.active
    return (
      segmentSize + pending.batch.length > this.config.segmentBytes ||
      nextOffset + pending.recordCount - 1 - segment.baseOffset > relativeOffsetMax ||
      this.clock.now() - (segment.rollStartMs ?? this.clock.now()) >= this.config.segmentMs
    )
  }

  /** Assigns offsets to the longest run of appends that fits the active segment and one writev. */
  private plan(group: PendingAppend[], from: number): PlannedWrite[] {
    const planned: PlannedWrite[] = []
    let position = this.active.size
    let offset = this.nextOffset
    let bytes = 0
    for (let index = from; index < group.length; index++) {
      const pending = group[index]!
      if (planned.length > 0 && (planned.length === writeBatchesMax || bytes >= writeBytesMax)) break
      if (planned.length > 0 && this.needsRoll(position, offset, pending)) break
      patchBatch(pending.batch, 0, offset, pending.term)
      planned.push({ pending, position, baseOffset: offset })
      position += pending.batch.length
      offset += pending.recordCount
      bytes += pending.batch.length
    }
    return planned
  }

  private async write(planned: PlannedWrite[]): Promise<void> {
    const segment = this.active
    try {
      await this.io.writev(
        segment.fd,
        planned.map((write) => write.pending.batch),
        segment.size,
      )
    } catch (error) {
      // Part of the write may have landed: cut it off so the file matches what the log holds.
      const typed = storageError(`appending to ${segment.logPath}`, error)
      await this.io.truncate(segment.fd, segment.size).catch((truncateError: unknown) => {
        this.durability.fail(storageError(`undoing a failed write to ${segment.logPath}`, truncateError))
      })
      for (const write of planned) write.pending.reject(typed)
      return
    }
    if (segment.isEmpty) segment.rollStartMs = this.clock.now()
    for (const { pending, position, baseOffset } of planned) {
      const lastOffset = baseOffset + pending.recordCount - 1
      segment.recordBatch({
        position,
        size: pending.batch.length,
        baseOffset,
        lastOffset,
        maxTimestamp: pending.maxTimestamp,
      })
      const result = { baseOffset, lastOffset, maxTimestamp: pending.maxTimestamp }
      this.nextOffset = lastOffset + 1
      this.durability.written(lastOffset + 1).then(() => pending.resolve(result), pending.reject)
    }
  }

  /**
   * Starts a new segment at the log end and leaves the old one's fsync, index files and the
   * directory fsync to the background flusher, so appends go on at once (~70 ms per 128 MiB roll
   * otherwise). Waits only when `rolledSegmentsUnflushedMax` flushes are still behind.
   */
  private async roll(): Promise<void> {
    while (this.flusher.pendingCount >= rolledSegmentsUnflushedMax) await this.flusher.oldestDone()
    if (this.durability.failure) throw this.durability.failure
    const previous = this.active
    const { io, directory, nextOffset } = this
    const deferred = { syncDirectory: false }
    const next = await Segment.create(io, directory, nextOffset, this.config.indexIntervalBytes, deferred)
    this.segments.push(next)
    this.flusher.schedule(previous)
  }

  /**
   * One group-commit round: fsyncs the active segment and waits for the flush of every segment
   * rolled before it (their bytes and the active segment's directory entry), so an append is only
   * acknowledged once everything before it is durable too.
   */
  private async syncWritten(): Promise<number> {
    const endOffset = this.nextOffset
    const active = this.active
    const rolled = this.flusher.synced()
    const activeSync = endOffset > this.durability.syncedEndOffset ? this.io.datasync(active.fd) : undefined
    await Promise.all([rolled, activeSync])
    return endOffset
  }

  /**
   * Reads whole batches starting with the one that holds `offset`, up to `maxBytes` in all, but
   * always at least one batch so a consumer can make progress past a batch larger than maxBytes.
   * Memory held: at most maxBytes plus one index interval, or one batch.
   * Errors: OFFSET_OUT_OF_RANGE (below the log start or past the log end), LOG_CORRUPTED, LOG_CLOSED.
   * `allocate`: the buffer each file read goes to (the broker's Fetch passes pooled buffers, so a
   * read does not fault in fresh memory); the returned bytes are then a view of one of them. A
   * buffer it handed out that holds no returned bytes is dropped, never handed back.
   */
  async read(offset: number, maxBytes: number, allocate?: (bytes: number) => Buffer): Promise<ReadResult> {
    for (let attempt = 1; ; attempt++) {
      const swaps = this.cleanedSwaps
      try {
        return await this.readBatches(offset, maxBytes, allocate)
      } catch (error) {
        if (error instanceof DamageAt) throw await this.locateDamage(error)
        // The cleaner swapped a segment out under this read: its replacement holds the same offsets.
        if (this.cleanedSwaps !== swaps && attempt < readAttemptsMax && !this.closed) continue
        throw error
      }
    }
  }

  private async readBatches(
    offset: number,
    maxBytes: number,
    allocate: ((bytes: number) => Buffer) | undefined,
  ): Promise<ReadResult> {
    this.checkUsable()
    this.checkOffset(offset)
    if (!Number.isInteger(maxBytes) || maxBytes < 1)
      throw new RangeError(`maxBytes must be a positive integer`)
    const segments = this.segments
    for (let index = this.segmentIndexFor(offset); index < segments.length; index++) {
      const segment = segments[index]!
      if (offset >= segment.nextOffset) continue
      const bytes = await this.readFromSegment(segment, offset, maxBytes, allocate)
      if (bytes.length > 0) {
        const last = lastBatchEnd(bytes)
        return this.readResult(bytes, last)
      }
    }
    return this.readResult(Buffer.alloc(0), offset)
  }

  private readResult(bytes: Buffer, nextOffset: number): ReadResult {
    return { bytes, nextOffset, logStartOffset: this.startOffset, logEndOffset: this.nextOffset }
  }

  private async readFromSegment(
    segment: Segment,
    offset: number,
    maxBytes: number,
    allocate: ((bytes: number) => Buffer) | undefined,
  ): Promise<Buffer> {
    let position = segment.positionFloor(offset)
    const windowBytes = maxBytes + this.config.indexIntervalBytes + batchHeaderBytes
    while (position < segment.size) {
      const buffer = await segment.read(position, Math.min(segment.size - position, windowBytes), allocate)
      const found = findBatches(buffer, offset, maxBytes, (at, problem) =>
        this.corrupt(segment, position + at, problem),
      )
      if (found.end > found.first) return buffer.subarray(found.first, found.end)
      if (found.first >= 0) {
        const size = batchSizeAt(buffer, found.first)
        if (size <= windowBytes) {
          // The batch only straddles the window's edge: the next window starts with it.
          position += found.first
          continue
        }
        // The first wanted batch is larger than the window: return it alone.
        const whole = await segment.read(position + found.first, size, allocate)
        const check = inspectBatch(whole, 0, whole.length)
        if (!check.ok) this.corrupt(segment, position + found.first, check.reason)
        return whole
      }
      if (found.skipped === 0) this.corrupt(segment, position, 'a batch header is cut off inside the segment')
      position += found.skipped
    }
    return Buffer.alloc(0)
  }

  private corrupt(segment: Segment, position: number, problem: string): never {
    throw new DamageAt(segment, position, problem)
  }

  /**
   * The LOG_CORRUPTED for damage a read met, with the offset where it starts: the segment is read
   * again from its start with CRC checks, since the damage may begin before the batch the read
   * tripped on (whose own offset field is not covered by its CRC).
   */
  private async locateDamage(found: DamageAt): Promise<LogCorruption> {
    const { segment } = found
    this.damagedSegments.add(segment.baseOffset)
    let position = found.position
    let offset: number | undefined
    let problem = found.problem
    let expected = segment.baseOffset
    const options = { verify: true, chunkBytes: scanChunkBytes, maxBatchBytes: this.config.maxBatchBytes }
    try {
      const result = await scanBatches(this.io, segment.fd, 0, segment.size, options, (batch) => {
        if (batch.baseOffset !== expected) {
          problem = `batch baseOffset ${batch.baseOffset} where ${expected} was expected`
          return false
        }
        expected = batch.lastOffset + 1
        return true
      })
      if (result.position < segment.size) {
        position = result.position
        offset = expected
        problem = result.problem ?? problem
      }
    } catch {
      // The reason stays the read's; the offset falls back to the segment's base below.
    }
    const start = offset ?? segment.baseOffset
    const detail = `${segment.logPath} is damaged at byte ${position} (offset ${start}): ${problem}`
    const damage = new LogCorruption(detail, start, segment.logPath, offset === undefined ? 0 : position)
    this.knownDamage = damage
    return damage
  }

  /**
   * The offset of the first record whose timestamp is at or after `timestamp`, or undefined when
   * every record is older. Uses the time index, then reads the headers (and one batch) it points at.
   */
  async offsetForTimestamp(timestamp: number): Promise<number | undefined> {
    this.checkUsable()
    for (const segment of this.segments) {
      if (segment.maxTimestamp < timestamp || segment.nextOffset <= this.startOffset) continue
      const startOffset = Math.max(segment.timeScanStartOffset(timestamp), this.startOffset)
      let match: ScannedBatch | undefined
      await this.scanHeaders(segment, segment.positionFloor(startOffset), segment.size, (batch) => {
        if (batch.lastOffset < startOffset || batch.maxTimestamp < timestamp) return true
        match = batch
        return false
      })
      if (match === undefined) continue
      const { records } = decodeRecordBatch(await segment.read(match.position, match.size))
      const record = records.find((entry) => entry.offset >= startOffset && entry.timestamp >= timestamp)
      if (record) return record.offset
    }
    return undefined
  }

  private async scanHeaders(
    segment: Segment,
    from: number,
    to: number,
    visit: (batch: ScannedBatch) => boolean,
  ): Promise<void> {
    const options = { verify: false, chunkBytes: scanChunkBytes, maxBatchBytes: this.config.maxBatchBytes }
    const result = await scanBatches(this.io, segment.fd, from, to, options, visit)
    if (result.problem) throw await this.locateDamage(new DamageAt(segment, result.position, result.problem))
  }

  /**
   * Removes every batch from the one holding `offset` onwards (Raft conflict resolution). Cuts at
   * a batch boundary: when `offset` falls inside a batch, that whole batch goes. Resolves with the
   * new log end offset. Errors: OFFSET_OUT_OF_RANGE when `offset` is below the log start.
   */
  truncateSuffix(offset: number): Promise<number> {
    return this.serially(async () => {
      await this.flusher.idle()
      await this.durability.idle()
      if (offset >= this.nextOffset) return this.nextOffset
      if (offset < this.startOffset) {
        throw new WeirError(
          'OFFSET_OUT_OF_RANGE',
          `cannot truncate ${this.directory} to ${offset}: ${this.range()}`,
        )
      }
      const keep = this.segmentIndexFor(offset)
      // The kept segment may lie below the recovery point; it is about to change, so lower the
      // point first: a crash part-way then re-checks it rather than trusting it.
      if (keep < this.segments.length - 1) {
        await writeRecoveryPoint(this.io, this.directory, this.segments[keep]!.baseOffset)
      }
      const removed = this.segments.splice(keep + 1)
      for (const segment of removed) await segment.delete()
      const segment = this.active
      let cut = { position: segment.size, offset: segment.nextOffset }
      const damage = this.knownDamage
      if (damage?.segmentPath === segment.logPath && damage.offset === offset) {
        // Cut where a read located damage: the damaged batch's header is not to be trusted.
        cut = { position: damage.position, offset }
      } else {
        await this.scanHeaders(segment, segment.positionFloor(offset), segment.size, (batch) => {
          if (batch.lastOffset < offset) return true
          cut = { position: batch.position, offset: batch.baseOffset }
          return false
        })
      }
      await truncateCleanerCheckpoint(this.io, this.directory, cut.offset)
      const { timeScanStart } = await segment.truncateTo(cut.position, cut.offset)
      await this.scanHeaders(segment, timeScanStart, cut.position, (batch) => {
        segment.noteTimestamp(batch)
        return true
      })
      await segment.removeIndexFiles()
      if (removed.length > 0) await this.io.syncDirectory(this.directory)
      this.nextOffset = cut.offset
      this.durability.truncated(cut.offset)
      // The damaged bytes are gone with the cut.
      if (this.knownDamage !== undefined && this.knownDamage.offset >= cut.offset)
        this.knownDamage = undefined
      for (const base of this.damagedSegments)
        if (base >= segment.baseOffset) this.damagedSegments.delete(base)
      return this.nextOffset
    })
  }

  /**
   * Moves the log start forward to `offset`: reads below it fail, whole segments below it are
   * deleted. An offset past the log end empties the log, which then continues from `offset` (a
   * Raft follower installing a snapshot).
   */
  truncatePrefix(offset: number): Promise<void> {
    return this.serially(async () => {
      if (offset <= this.startOffset) return
      await this.flusher.idle()
      await writeLogMeta(this.io, this.directory, newLogMeta(offset))
      if (offset > this.nextOffset) {
        await this.durability.idle()
        const fresh = await Segment.create(this.io, this.directory, offset, this.config.indexIntervalBytes)
        // Start and end move together: a read running meanwhile sees the old log or the new one.
        const removed = this.segments.splice(0, this.segments.length, fresh)
        this.startOffset = offset
        this.nextOffset = offset
        this.durability.markSynced(offset)
        for (const segment of removed) await segment.delete()
      } else {
        this.startOffset = offset
        let count = 0
        while (count < this.segments.length - 1 && this.segments[count + 1]!.baseOffset <= offset) count++
        await this.deleteOldest(count)
      }
      await this.io.syncDirectory(this.directory)
    })
  }

  /**
   * Compacts the log (cleanupPolicy 'compact' or 'compact,delete'): in closed segments wholly below
   * `cleanableEndOffset`, keeps the latest record of each key and drops tombstones first cleaned
   * more than `deleteRetentionMs` ago. Offsets, batch headers and the log's start and end stay as
   * they are; each changed segment is rewritten beside the old one and swapped in with a rename.
   * Appends and reads go on meanwhile; one clean runs at a time (a second call joins it).
   * Errors: LOG_CORRUPTED (a damaged batch met; nothing of that segment swapped), STORAGE_ERROR,
   * LOG_CLOSED, INVALID_CONFIG (one segment holds more keys than `keysMax`).
   */
  clean(options: CleanOptions): Promise<CleanResult> {
    try {
      this.checkUsable()
    } catch (error) {
      return Promise.reject(error)
    }
    if (this.cleaning === undefined) {
      this.cleaning = cleanLog(this.cleanerHost(), options)
        .catch((error: unknown) => {
          // Closed under the clean (a deleted topic, a moved replica): its segments went away.
          if (this.closed) throw new WeirError('LOG_CLOSED', `${this.directory} closed during a clean`)
          throw storageError(`cleaning ${this.directory}`, error)
        })
        .finally(() => {
          this.cleaning = undefined
        })
    }
    return this.cleaning
  }

  private cleanerHost() {
    return {
      io: this.io,
      directory: this.directory,
      clock: this.clock,
      timers: this.timers,
      deleteRetentionMs: this.config.deleteRetentionMs,
      cleanableSegments: async (endOffset: number) => {
        // Rolled segments still being flushed are left for the next clean.
        await this.flusher.idle()
        const closed = this.segments.slice(0, -1)
        return closed.filter((segment) => segment.nextOffset <= endOffset && !segment.isEmpty)
      },
      swap: (segment: Segment, sizeBefore: number, cleanedPath: string) =>
        this.swapCleaned(segment, sizeBefore, cleanedPath),
    }
  }

  /**
   * Puts a cleaned file in place of `segment`, crash-safe: the old index files go first (and the
   * directory is synced), so a crash at any point leaves either the old segment or the cleaned one,
   * with its indexes rebuilt at open; the rename replaces the file in one step. Reads still on the
   * old file finish on it (its fd stays open until they are done).
   */
  private swapCleaned(segment: Segment, sizeBefore: number, cleanedPath: string): Promise<boolean> {
    return this.serially(async () => {
      const index = this.segments.indexOf(segment)
      if (index < 0 || index === this.segments.length - 1 || segment.size !== sizeBefore) {
        // Retention or a truncation changed the segment while it was being cleaned.
        await this.io.unlink(cleanedPath)
        return false
      }
      await this.flusher.idle()
      await segment.removeIndexFiles()
      await this.io.syncDirectory(this.directory)
      await this.io.rename(cleanedPath, segment.logPath)
      await this.io.syncDirectory(this.directory)
      const fresh = await this.openCleanedSegment(segment.baseOffset)
      this.segments[index] = fresh
      this.cleanedSwaps++
      this.damagedSegments.delete(segment.baseOffset)
      await segment.close()
      return true
    })
  }

  private async openCleanedSegment(baseOffset: number): Promise<Segment> {
    const path = join(this.directory, segmentFileName(baseOffset, '.log'))
    const fd = await this.io.open(path)
    const segment = new Segment(this.io, this.directory, baseOffset, fd, this.config.indexIntervalBytes)
    const size = await this.io.size(fd)
    await this.scanHeaders(segment, 0, size, (batch) => {
      segment.recordBatch(batch)
      return true
    })
    await segment.writeIndexFiles()
    return segment
  }

  /** Deletes old segments by `retentionMs` and `retentionBytes`; never the active segment. */
  applyRetention(): Promise<RetentionResult> {
    return this.serially(async () => {
      const summaries = this.segments.map((segment) => ({
        sizeBytes: segment.size,
        maxTimestamp: segment.maxTimestamp,
      }))
      const count = segmentsToDelete(summaries, this.config, this.clock.now())
      if (count > 0) {
        await this.flusher.idle()
        const newStart = Math.max(this.startOffset, this.segments[count]!.baseOffset)
        await writeLogMeta(this.io, this.directory, newLogMeta(newStart))
        this.startOffset = newStart
        await this.deleteOldest(count)
        await this.io.syncDirectory(this.directory)
      }
      return { deletedSegments: count, logStartOffset: this.startOffset }
    })
  }

  private async deleteOldest(count: number): Promise<void> {
    const removed = this.segments.splice(0, count)
    for (const segment of removed) await segment.delete()
  }

  /** fsyncs everything appended so far, whatever the policy, and waits for background flushes. */
  flush(): Promise<void> {
    return this.serially(async () => {
      await this.flusher.idle()
      await this.durability.syncNow()
    })
  }

  /**
   * Finishes queued appends, fsyncs, writes the active segment's indexes and marks the shutdown
   * clean, so the next open skips the CRC scan of the active segment.
   */
  async close(): Promise<void> {
    if (this.closed) return
    const closing = this.serially(async () => {
      this.closed = true
      this.durability.stop()
      await this.flusher.idle()
      await this.durability.syncNow()
      await this.active.writeIndexFiles()
      // Every segment was checked at open or written by this process, except those a read found damaged.
      const intact = this.segments.filter((segment) => !this.damagedSegments.has(segment.baseOffset))
      const known = intact.map((segment) => ({ baseOffset: segment.baseOffset, sizeBytes: segment.size }))
      await markCleanShutdown(this.io, this.directory, known)
    })
    try {
      await closing
    } finally {
      this.closed = true
      this.durability.stop()
      // A flush still running (the close failed early) must not see its file closed under it.
      await this.flusher.idle().catch(() => undefined)
      await Promise.allSettled(this.segments.map((segment) => segment.close()))
    }
  }

  private checkUsable(): void {
    if (this.closed) throw new WeirError('LOG_CLOSED', `${this.directory} is closed`)
    if (this.durability.failure) throw this.durability.failure
  }

  private checkOffset(offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < this.startOffset || offset > this.nextOffset) {
      throw new WeirError('OFFSET_OUT_OF_RANGE', `offset ${offset} in ${this.directory}: ${this.range()}`)
    }
  }

  private range(): string {
    return `valid offsets are ${this.startOffset} to ${this.nextOffset}`
  }

  /** Index of the segment whose range holds `offset` (the last one with baseOffset <= offset). */
  private segmentIndexFor(offset: number): number {
    let low = 0
    let high = this.segments.length - 1
    while (low < high) {
      const middle = (low + high + 1) >>> 1
      if (this.segments[middle]!.baseOffset <= offset) low = middle
      else high = middle - 1
    }
    return low
  }
}

/** Thrown inside a read where damage was met; read() turns it into a located LogCorruption. */
class DamageAt {
  constructor(
    readonly segment: Segment,
    readonly position: number,
    readonly problem: string,
  ) {}
}

interface FoundBatches {
  /** Start of the first batch holding an offset >= the wanted one, or -1. */
  readonly first: number
  /** End of the last whole batch taken; equal to `first` when none fit. */
  readonly end: number
  /** Bytes of whole batches skipped below the wanted offset, when none was found. */
  readonly skipped: number
}

/** Finds, in a window of segment bytes, the whole batches to return for a read. Pure. */
function findBatches(
  buffer: Buffer,
  offset: number,
  maxBytes: number,
  corrupt: (at: number, problem: string) => never,
): FoundBatches {
  let at = 0
  let first = -1
  let end = -1
  while (at + batchHeaderBytes <= buffer.length) {
    const size = batchSizeAt(buffer, at)
    if (size < batchHeaderBytes) corrupt(at, `batch length field says ${size} bytes`)
    const lastOffset = lastOffsetAt(buffer, at)
    if (first < 0) {
      if (lastOffset < offset) {
        at += size
        continue
      }
      first = at
      end = at
    }
    if (at + size > buffer.length || (end > first && at + size - first > maxBytes)) break
    // Every served batch is CRC-checked (~5 GB/s): damage is reported here, with its position,
    // rather than handed to a consumer.
    const check = inspectBatch(buffer, at, at + size)
    if (!check.ok) corrupt(at, check.reason)
    at += size
    end = at
  }
  // A skipped batch may end past the window: its header says where the next one starts.
  return first < 0 ? { first, end: first, skipped: at } : { first, end, skipped: 0 }
}

function lastBatchEnd(bytes: Buffer): number {
  let at = 0
  let nextOffset = 0
  while (at < bytes.length) {
    nextOffset = lastOffsetAt(bytes, at) + 1
    at += batchSizeAt(bytes, at)
  }
  return nextOffset
}
