// What one node has made durable: hard state and log. A crash keeps exactly this.
import {
  type ClusterConfig,
  decodeConfig,
  type Entry,
  type HardState,
  type Ready,
  type RestoredState,
  type SnapshotInfo,
  type TermRun,
} from '../../src/index.js'

export class MemoryStorage {
  hardState: HardState = { term: 0, vote: 0, commit: 0 }
  firstIndex = 0
  entries: Entry[] = []
  /** The config in effect below firstIndex (the initial one, or the last config entry compacted away). */
  private baseConfig: ClusterConfig

  constructor(initialConfig: ClusterConfig) {
    this.baseConfig = initialConfig
  }

  /** Drops the first `count` entries (retention), remembering the config they carried. */
  dropPrefix(count: number): void {
    for (const entry of this.entries.slice(0, count)) {
      if (entry.kind === 'config') this.baseConfig = decodeConfig(entry.data)
    }
    const end = this.lastIndex
    this.entries.splice(0, count)
    this.firstIndex = this.entries[0]?.index ?? end + 1
  }

  get lastIndex(): number {
    const last = this.entries[this.entries.length - 1]
    return last === undefined ? this.firstIndex - 1 : last.index + last.span - 1
  }

  /** Carries out the durable part of a Ready: hard state, truncation, entries, restore truncation. */
  persist(ready: Ready): void {
    if (ready.hardState !== undefined) {
      if (ready.hardState.term < this.hardState.term) throw new Error('persisted term went backwards')
      this.hardState = ready.hardState
    }
    if (ready.truncateFrom !== undefined) this.truncateFrom(ready.truncateFrom)
    this.append(ready.entries)
    if (ready.restore !== undefined) {
      const { keepThrough, snapshot } = ready.restore
      if (keepThrough < snapshot.firstIndex - 1) {
        this.entries = []
        this.firstIndex = snapshot.firstIndex
        this.baseConfig = snapshot.config
      } else {
        this.truncateFrom(keepThrough + 1)
      }
    }
  }

  /** Appends entries that must follow the log's end. */
  append(entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.index !== this.lastIndex + 1) {
        throw new Error(`append at ${entry.index} but the log ends at ${this.lastIndex}`)
      }
      this.entries.push(entry)
    }
  }

  truncateFrom(index: number): void {
    const position = this.position(index)
    if (position === undefined) {
      if (index <= this.lastIndex) throw new Error(`truncate at ${index}: not an entry start`)
      return
    }
    this.entries.length = position
  }

  /** Copies (lastIndex, snapshot.index] from a source's durable log; false if it cannot. */
  copyFrom(source: MemoryStorage, snapshot: SnapshotInfo): boolean {
    const from = this.lastIndex + 1
    const position = source.position(from)
    if (position === undefined) return false
    const copied: Entry[] = []
    for (let i = position; i < source.entries.length; i++) {
      const entry = source.entries[i]!
      if (entry.index > snapshot.index) break
      copied.push(entry)
    }
    const last = copied[copied.length - 1]
    if (last === undefined || last.index + last.span - 1 !== snapshot.index) return false
    this.entries.push(...copied)
    return true
  }

  /** What a restarting node reads back: the tail holds everything above commit plus `extra` entries. */
  restoredState(extra: number): RestoredState {
    const commit = this.hardState.commit
    let tailStart = this.entries.findIndex((entry) => entry.index + entry.span - 1 > commit)
    if (tailStart < 0) tailStart = this.entries.length
    tailStart = Math.max(0, tailStart - extra)
    return {
      hardState: this.hardState,
      config: this.latestConfig(),
      firstIndex: this.firstIndex,
      lastIndex: this.lastIndex,
      termRuns: termRunsOf(this.entries),
      tail: this.entries.slice(tailStart),
    }
  }

  latestConfig(): ClusterConfig {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i]!
      if (entry.kind === 'config') return decodeConfig(entry.data)
    }
    return this.baseConfig
  }

  /** Position of the entry starting at index. */
  position(index: number): number | undefined {
    let low = 0
    let high = this.entries.length - 1
    while (low <= high) {
      const middle = (low + high) >> 1
      const start = this.entries[middle]!.index
      if (start === index) return middle
      if (start < index) low = middle + 1
      else high = middle - 1
    }
    return undefined
  }
}

export function termRunsOf(entries: readonly Entry[]): TermRun[] {
  const runs: TermRun[] = []
  for (const entry of entries) {
    if (runs[runs.length - 1]?.term !== entry.term) runs.push({ term: entry.term, startIndex: entry.index })
  }
  return runs
}
