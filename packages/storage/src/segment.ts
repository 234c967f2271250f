// One segment: `<baseOffset, 20 digits>.log` plus its sparse `.index` and `.timeindex`. Holds the
// in-memory indexes and the open file; knows nothing of offsets assignment or durability policy.
import { join } from 'node:path'
import { WeirError } from '@weir/protocol'
import type { FileIo } from './file-io.js'
import type { ScannedBatch } from './segment-scan.js'
import { SparseIndex } from './sparse-index.js'

export const logSuffix = '.log'
export const indexSuffix = '.index'
export const timeIndexSuffix = '.timeindex'

export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`
}

/** The base offset a segment file name encodes, or undefined for a name that is not one. */
export function parseSegmentFileName(name: string, suffix: string): number | undefined {
  if (!name.endsWith(suffix)) return undefined
  const digits = name.slice(0, -suffix.length)
  if (!/^\d{20}$/.test(digits)) return undefined
  const baseOffset = Number(digits)
  return Number.isSafeInteger(baseOffset) ? baseOffset : undefined
}

type BatchPlacement = Pick<ScannedBatch, 'position' | 'size' | 'baseOffset' | 'lastOffset' | 'maxTimestamp'>

export class Segment {
  offsetIndex = new SparseIndex(4)
  timeIndex = new SparseIndex(8)
  /** Bytes of whole batches in the file; reads never go past it. */
  size = 0
  nextOffset: number
  maxTimestamp = Number.NEGATIVE_INFINITY
  /** Relative last offset of the batch that set maxTimestamp. */
  private maxTimestampRelativeOffset = 0
  /** Clock time the segment's age counts from, for rolling by `segmentMs`. */
  rollStartMs: number | undefined
  private bytesSinceOffsetEntry = 0
  private bytesSinceTimeEntry = 0
  private readers = 0
  private closing: (() => void) | undefined
  private fdOpen = true

  constructor(
    private readonly io: FileIo,
    readonly directory: string,
    readonly baseOffset: number,
    readonly fd: number,
    private readonly indexIntervalBytes: number,
  ) {
    this.nextOffset = baseOffset
  }

  /**
   * Creates the segment's file. With `syncDirectory` false the new directory entry is not yet
   * durable: a roll leaves that to the background flush, which every fsync of the log waits for.
   */
  static async create(
    io: FileIo,
    directory: string,
    baseOffset: number,
    indexIntervalBytes: number,
    options: { syncDirectory: boolean } = { syncDirectory: true },
  ) {
    const fd = await io.open(join(directory, segmentFileName(baseOffset, logSuffix)), { create: true })
    if (options.syncDirectory) {
      try {
        await io.syncDirectory(directory)
      } catch (error) {
        await io.close(fd).catch(() => undefined)
        throw error
      }
    }
    return new Segment(io, directory, baseOffset, fd, indexIntervalBytes)
  }

  get logPath(): string {
    return join(this.directory, segmentFileName(this.baseOffset, logSuffix))
  }

  get indexPath(): string {
    return join(this.directory, segmentFileName(this.baseOffset, indexSuffix))
  }

  get timeIndexPath(): string {
    return join(this.directory, segmentFileName(this.baseOffset, timeIndexSuffix))
  }

  get isEmpty(): boolean {
    return this.size === 0
  }

  /** Adds a batch that is now in the file to the in-memory state and the sparse indexes. */
  recordBatch(batch: BatchPlacement): void {
    if (batch.position > 0 && this.bytesSinceOffsetEntry >= this.indexIntervalBytes) {
      this.offsetIndex.add(batch.baseOffset - this.baseOffset, batch.position)
      this.bytesSinceOffsetEntry = 0
    }
    this.bytesSinceOffsetEntry += batch.size
    if (batch.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batch.maxTimestamp
      this.maxTimestampRelativeOffset = batch.lastOffset - this.baseOffset
      if (this.timeIndex.length === 0 || this.bytesSinceTimeEntry >= this.indexIntervalBytes) {
        this.timeIndex.add(this.maxTimestamp, this.maxTimestampRelativeOffset)
        this.bytesSinceTimeEntry = 0
      }
    }
    this.bytesSinceTimeEntry += batch.size
    this.size = batch.position + batch.size
    this.nextOffset = batch.lastOffset + 1
  }

  /** File position of the last indexed batch at or before `offset`: where a scan for it starts. */
  positionFloor(offset: number): number {
    return this.offsetIndex.floorValue(offset - this.baseOffset) ?? 0
  }

  /**
   * The offset a scan for the first record at or after `timestamp` may start from: everything up
   * to an entry's offset has a timestamp at most the entry's key.
   */
  timeScanStartOffset(timestamp: number): number {
    const relative = this.timeIndex.lowerValue(timestamp)
    return relative === undefined ? this.baseOffset : this.baseOffset + relative + 1
  }

  /** Persists both indexes; called when the segment closes, after which it no longer changes. */
  async writeIndexFiles(): Promise<void> {
    if (this.maxTimestamp > (this.timeIndex.lastKey ?? Number.NEGATIVE_INFINITY)) {
      this.timeIndex.add(this.maxTimestamp, this.maxTimestampRelativeOffset)
    }
    await this.io.writeFileAtomic(this.indexPath, this.offsetIndex.encode())
    await this.io.writeFileAtomic(this.timeIndexPath, this.timeIndex.encode())
  }

  async removeIndexFiles(): Promise<void> {
    for (const path of [this.indexPath, this.timeIndexPath]) {
      if (await this.io.exists(path)) await this.io.unlink(path)
    }
  }

  /**
   * Cuts the segment back to `position`, the start of the batch holding `nextOffset`. The time
   * index keeps only entries below the cut; `timeScanStart` then says where the caller must
   * re-read headers (with `noteTimestamp`) to recover the exact maximum timestamp.
   */
  async truncateTo(position: number, nextOffset: number): Promise<{ timeScanStart: number }> {
    await this.io.truncate(this.fd, position)
    await this.io.datasync(this.fd)
    this.offsetIndex.truncateValuesFrom(position)
    this.timeIndex.truncateValuesFrom(nextOffset - this.baseOffset)
    this.maxTimestamp = this.timeIndex.lastKey ?? Number.NEGATIVE_INFINITY
    this.maxTimestampRelativeOffset = this.timeIndex.lastValue ?? 0
    this.size = position
    this.nextOffset = nextOffset
    this.bytesSinceOffsetEntry = position - (this.offsetIndex.lastValue ?? 0)
    this.bytesSinceTimeEntry = 0
    const lastTimeEntry = this.timeIndex.lastValue
    return {
      timeScanStart: lastTimeEntry === undefined ? 0 : this.positionFloor(this.baseOffset + lastTimeEntry),
    }
  }

  /** Raises the maximum timestamp for a batch already in the segment (after a truncation). */
  noteTimestamp(batch: Pick<ScannedBatch, 'lastOffset' | 'maxTimestamp'>): void {
    if (batch.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batch.maxTimestamp
      this.maxTimestampRelativeOffset = batch.lastOffset - this.baseOffset
    }
  }

  resetIndexes(): void {
    this.offsetIndex = new SparseIndex(4)
    this.timeIndex = new SparseIndex(8)
    this.maxTimestamp = Number.NEGATIVE_INFINITY
    this.maxTimestampRelativeOffset = 0
    this.bytesSinceOffsetEntry = 0
    this.bytesSinceTimeEntry = 0
    this.size = 0
    this.nextOffset = this.baseOffset
  }

  /** Restores index state loaded from files, for a segment whose data is trusted. */
  adoptIndexes(offsetIndex: SparseIndex, timeIndex: SparseIndex): void {
    this.offsetIndex = offsetIndex
    this.timeIndex = timeIndex
    if (timeIndex.length > 0) {
      this.maxTimestamp = timeIndex.lastKey!
      this.maxTimestampRelativeOffset = timeIndex.lastValue!
    }
  }

  /**
   * Reads file bytes; keeps the file open until the read is done even if the segment is deleted.
   * `allocate`: where to read to (a pooled buffer of at least `length` bytes); a new buffer otherwise.
   */
  async read(position: number, length: number, allocate?: (bytes: number) => Buffer): Promise<Buffer> {
    if (!this.fdOpen) {
      throw new WeirError(
        'OFFSET_OUT_OF_RANGE',
        `${this.logPath} was deleted (retention or truncation) during the read`,
      )
    }
    this.readers++
    try {
      return await this.io.read(this.fd, position, length, allocate?.(length))
    } finally {
      this.readers--
      if (this.readers === 0) this.closing?.()
    }
  }

  /** Closes the file once in-flight reads finish. */
  async close(): Promise<void> {
    if (!this.fdOpen) return
    this.fdOpen = false
    if (this.readers > 0) await new Promise<void>((resolve) => (this.closing = resolve))
    await this.io.close(this.fd)
  }

  async delete(): Promise<void> {
    await this.close()
    for (const path of [this.logPath, this.indexPath, this.timeIndexPath]) {
      if (await this.io.exists(path)) await this.io.unlink(path)
    }
  }
}
