// The consumer's bounded prefetch buffer: fetched records wait here until the iterator takes them.
// Fetch loops call `waitForSpace()` before every fetch, so no fetch runs while the buffer holds
// `bytesMax` or more; the most it can hold is bytesMax plus one fetch response (the Fetch maxBytes).
// Pure bookkeeping: no timers or sockets.
import type { DecodedRecord } from '@weir/protocol'

export interface FetchedChunk {
  readonly topic: string
  readonly partition: number
  readonly records: readonly DecodedRecord[]
  /** Bytes of the batches the records came from: what the chunk costs until fully taken. */
  readonly bytes: number
}

interface Entry {
  readonly chunk: FetchedChunk
  index: number
}

export class PrefetchBuffer {
  private entries: Entry[] = []
  private head = 0
  private bytesHeld = 0
  private spaceWaiters: Array<() => void> = []
  private dataWaiters: Array<() => void> = []
  private takenFrom: FetchedChunk | undefined

  constructor(readonly bytesMax: number) {}

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
    if (chunk.records.length === 0) return
    this.entries.push({ chunk, index: 0 })
    this.bytesHeld += chunk.bytes
    if (this.dataWaiters.length > 0) for (const wake of this.dataWaiters.splice(0)) wake()
  }

  /**
   * The next record in fetch order, or undefined when empty. `lastChunk` is then the chunk it came
   * from (its topic and partition): no wrapper object per record, since this runs per message.
   */
  shift(): DecodedRecord | undefined {
    const entry = this.entries[this.head]
    if (entry === undefined) return undefined
    const { chunk } = entry
    this.takenFrom = chunk
    const record = chunk.records[entry.index++]!
    if (entry.index === chunk.records.length) this.removeHead(chunk.bytes)
    return record
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
        firstOffset ??= entry.chunk.records[entry.index]?.offset
        this.bytesHeld -= entry.chunk.bytes
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
    this.entries = []
    this.head = 0
    this.bytesHeld = 0
    this.wakeAll()
  }

  private removeHead(bytes: number): void {
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
