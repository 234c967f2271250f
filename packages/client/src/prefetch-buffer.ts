// The consumer's bounded prefetch buffer: fetched batches wait here until the iterator takes their
// records. Fetch loops call `waitForSpace()` before every fetch, so no fetch runs while the buffer
// holds `bytesMax` or more; the most it can hold is bytesMax plus one fetch response (the Fetch
// maxBytes). Pure bookkeeping and decoding: no timers or sockets.
//
// Batches are kept as bytes and decoded one at a time as the iterator reaches them. Decoding a
// whole fetch up front kept up to bytesMax of record objects alive across garbage collections
// (16 MiB of 100 B messages is over a million objects promoted to the old generation); decoded
// lazily, a record lives from its batch's decode until the application drops it.
// With a ReceiveBufferPool, a chunk in a pooled frame holds that frame until the chunk is taken or
// dropped; its records' bytes are copied out when its batches are decoded, so no record refers
// to a frame that has gone back to the pool.
import {
  BatchField,
  batchSizeAt,
  type DecodedRecord,
  decodeRecordBatch,
  isControlBatch,
  type ReceiveBufferPool,
  readUint64,
} from '@weir/protocol'

export interface FetchedChunk {
  readonly topic: string
  readonly partition: number
  /**
   * Whole record batches back to back (the fetcher checked each length; CRC and records are
   * checked when a batch is decoded, which throws CORRUPT_MESSAGE or INVALID_RECORD from `shift()`).
   */
  readonly batches: Buffer
  /** Records below this offset are skipped: a batch may start before the offset fetched. */
  readonly fromOffset: number
  /** What the chunk costs until fully taken (the batches' length). */
  readonly bytes: number
}

interface Entry {
  readonly chunk: FetchedChunk
  /** Byte position in chunk.batches of the first batch not yet decoded. */
  batchPosition: number
  /** The decoded batch being taken, and the index of its next record. */
  records: readonly DecodedRecord[]
  index: number
}

const noRecords: readonly DecodedRecord[] = Object.freeze([])

export class PrefetchBuffer {
  private entries: Entry[] = []
  private head = 0
  private bytesHeld = 0
  private spaceWaiters: Array<() => void> = []
  private dataWaiters: Array<() => void> = []
  private takenFrom: FetchedChunk | undefined

  constructor(
    readonly bytesMax: number,
    private readonly pool?: ReceiveBufferPool,
  ) {}

  get bytes(): number {
    return this.bytesHeld
  }

  get hasSpace(): boolean {
    return this.bytesHeld < this.bytesMax
  }

  get isEmpty(): boolean {
    return this.head === this.entries.length
  }

  push(chunk: FetchedChunk): void {
    if (chunk.batches.length === 0) return
    this.pool?.hold(chunk.batches)
    this.entries.push({ chunk, batchPosition: 0, records: noRecords, index: 0 })
    this.bytesHeld += chunk.bytes
    if (this.dataWaiters.length > 0) for (const wake of this.dataWaiters.splice(0)) wake()
  }

  /**
   * The next record in fetch order, or undefined when empty. `lastChunk` is then the chunk it came
   * from (its topic and partition): no wrapper object per record, since this runs per message.
   * Throws CORRUPT_MESSAGE (length, CRC) or INVALID_RECORD (content) when the next batch does not decode.
   */
  shift(): DecodedRecord | undefined {
    for (;;) {
      const entry = this.entries[this.head]
      if (entry === undefined) return undefined
      const { chunk } = entry
      if (entry.index < entry.records.length) {
        this.takenFrom = chunk
        const record = entry.records[entry.index++]!
        if (entry.index === entry.records.length && entry.batchPosition === chunk.batches.length)
          this.removeHead(chunk.bytes)
        return record
      }
      if (entry.batchPosition === chunk.batches.length) this.removeHead(chunk.bytes)
      else decodeNextBatch(entry, this.pool?.isPooled(chunk.batches) === true)
    }
  }

  /** The chunk of the record `shift()` returned last; undefined before the first. */
  get lastChunk(): FetchedChunk | undefined {
    return this.takenFrom
  }

  /** Drops a partition's buffered records (seek, pause); returns the first offset not yet taken. */
  drop(topic: string, partition: number): number | undefined {
    let firstOffset: number | undefined
    const kept: Entry[] = []
    for (let index = this.head; index < this.entries.length; index++) {
      const entry = this.entries[index]!
      if (entry.chunk.topic === topic && entry.chunk.partition === partition) {
        firstOffset ??= firstUntaken(entry)
        this.bytesHeld -= entry.chunk.bytes
        this.pool?.release(entry.chunk.batches)
      } else {
        kept.push(entry)
      }
    }
    this.entries = kept
    this.head = 0
    this.wakeSpace()
    return firstOffset
  }

  /** Resolves when the buffer is below its limit (at once if it already is). */
  waitForSpace(): Promise<void> {
    if (this.hasSpace) return Promise.resolve()
    return new Promise((resolve) => this.spaceWaiters.push(resolve))
  }

  /** Resolves when a chunk arrives or `wakeAll` is called. */
  waitForData(): Promise<void> {
    if (!this.isEmpty) return Promise.resolve()
    return new Promise((resolve) => this.dataWaiters.push(resolve))
  }

  /** Releases every waiter (close, fatal error). */
  wakeAll(): void {
    for (const wake of this.dataWaiters.splice(0)) wake()
    for (const wake of this.spaceWaiters.splice(0)) wake()
  }

  clear(): void {
    for (let index = this.head; index < this.entries.length; index++)
      this.pool?.release(this.entries[index]!.chunk.batches)
    this.entries = []
    this.head = 0
    this.bytesHeld = 0
    this.wakeAll()
  }

  private removeHead(bytes: number): void {
    this.pool?.release(this.entries[this.head]!.chunk.batches)
    this.head++
    this.bytesHeld -= bytes
    if (this.head === this.entries.length) {
      this.entries = []
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head)
      this.head = 0
    }
    this.wakeSpace()
  }

  private wakeSpace(): void {
    if (this.hasSpace) for (const wake of this.spaceWaiters.splice(0)) wake()
  }
}

/** `copyBytes`: the chunk's frame goes back to a pool once taken, so records must not be views of it. */
function decodeNextBatch(entry: Entry, copyBytes: boolean): void {
  const { batches, fromOffset } = entry.chunk
  const position = entry.batchPosition
  const size = batchSizeAt(batches, position)
  const batch = batches.subarray(position, position + size)
  // A control batch (a Raft leader's no-op, a membership change) holds no user records.
  const records = isControlBatch(batch) ? noRecords : decodeRecordBatch(batch, { copyBytes }).records
  entry.batchPosition = position + size
  entry.index = 0
  entry.records =
    records.length > 0 && records[0]!.offset < fromOffset
      ? records.filter((record) => record.offset >= fromOffset)
      : records
}

/** The offset of the entry's next record, read from the batch header when not decoded yet. */
function firstUntaken(entry: Entry): number | undefined {
  const record = entry.records[entry.index]
  if (record !== undefined) return record.offset
  const { batches, fromOffset } = entry.chunk
  if (entry.batchPosition >= batches.length) return undefined
  return Math.max(fromOffset, readUint64(batches, entry.batchPosition + BatchField.baseOffset))
}
