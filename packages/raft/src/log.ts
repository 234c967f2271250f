// The core's view of the log: compact term runs for the whole log, payloads only for a window of
// recent entries, and what the host has been told to write (the rest is "unstable").
import type { Entry, TermRun } from './types.js'

/** An entry end and the term of its entry; index = firstIndex - 1 with term 0 is the empty prefix. */
export interface EntryEnd {
  readonly index: number
  readonly term: number
}

export class RaftLog {
  firstIndex: number
  lastIndex: number
  /** Covers [firstIndex, lastIndex]; term boundaries are entry boundaries. */
  runs: TermRun[]
  /** Contiguous entries ending at lastIndex (empty: windowStart = lastIndex + 1). */
  window: Entry[]
  windowBytes = 0
  /** Last index of the host's log once it has carried out every Ready handed out so far. */
  hostLastIndex: number
  /** Last index the host has made durable (advanced); only whole entries. */
  persistedIndex: number
  /** Lowest truncation the host has not been told about yet. */
  pendingTruncateFrom: number | undefined
  /** Lowest truncation since the last Ready was handed out (entries of that Ready above it are void). */
  truncatedBelow = Number.POSITIVE_INFINITY

  constructor(firstIndex: number, lastIndex: number, runs: readonly TermRun[], tail: readonly Entry[]) {
    this.firstIndex = firstIndex
    this.lastIndex = lastIndex
    this.runs = runs.map((run) => ({ ...run }))
    this.window = [...tail]
    for (const entry of tail) this.windowBytes += entry.data.length
    this.hostLastIndex = lastIndex
    this.persistedIndex = lastIndex
    checkLog(this)
  }

  get windowStart(): number {
    return this.window[0]?.index ?? this.lastIndex + 1
  }

  /** Term of the entry containing index; 0 outside [firstIndex, lastIndex]. */
  termAt(index: number): number {
    if (index < this.firstIndex || index > this.lastIndex) return 0
    const run = this.runs[this.runContaining(index)]
    return run === undefined ? 0 : run.term
  }

  lastTerm(): number {
    return this.runs[this.runs.length - 1]?.term ?? 0
  }

  /** The last index of run i. */
  runEnd(i: number): number {
    const next = this.runs[i + 1]
    return next === undefined ? this.lastIndex : next.startIndex - 1
  }

  /**
   * The largest entry end <= maxIndex whose term <= termMax, among the ends we know without payloads:
   * lastIndex and run ends (etcd's findConflictByTerm over runs).
   */
  entryEndAtOrBelow(maxIndex: number, termMax: number): EntryEnd {
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const run = this.runs[i]!
      const end = this.runEnd(i)
      if (end <= maxIndex && run.term <= termMax) return { index: end, term: run.term }
    }
    return { index: this.firstIndex - 1, term: 0 }
  }

  /** Appends entries that start at lastIndex + 1; they are unstable until handed to the host. */
  append(entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.index !== this.lastIndex + 1 || entry.span < 1) throw new Error('raft: append out of order')
      if (entry.term !== this.lastTerm() || this.runs.length === 0) {
        if (entry.term < this.lastTerm()) throw new Error('raft: append with a lower term')
        this.runs.push({ term: entry.term, startIndex: entry.index })
      }
      this.window.push(entry)
      this.windowBytes += entry.data.length
      this.lastIndex = entry.index + entry.span - 1
    }
  }

  /** Drops every entry with index >= from; `from` must be an entry start. */
  truncateFrom(from: number): void {
    if (from > this.lastIndex) return
    while (this.runs.length > 0 && this.runs[this.runs.length - 1]!.startIndex >= from) this.runs.pop()
    while (this.window.length > 0 && this.window[this.window.length - 1]!.index >= from) {
      this.windowBytes -= this.window.pop()!.data.length
    }
    this.lastIndex = from - 1
    if (from <= this.hostLastIndex) {
      this.hostLastIndex = from - 1
      this.pendingTruncateFrom = Math.min(this.pendingTruncateFrom ?? from, from)
    }
    this.persistedIndex = Math.min(this.persistedIndex, from - 1)
    this.truncatedBelow = Math.min(this.truncatedBelow, from)
  }

  /** Cuts the log after keepThrough for a restore; the Restore itself tells the host to do the same. */
  cutForRestore(keepThrough: number): void {
    while (this.runs.length > 0 && this.runs[this.runs.length - 1]!.startIndex > keepThrough) this.runs.pop()
    while (this.window.length > 0 && this.window[this.window.length - 1]!.index > keepThrough) {
      this.windowBytes -= this.window.pop()!.data.length
    }
    this.lastIndex = Math.max(keepThrough, this.firstIndex - 1)
    this.hostLastIndex = Math.min(this.hostLastIndex, this.lastIndex)
    this.persistedIndex = Math.min(this.persistedIndex, this.lastIndex)
    this.truncatedBelow = Math.min(this.truncatedBelow, this.lastIndex + 1)
  }

  /** Window entries from the one starting at `from`, within the limits (at least one). */
  slice(from: number, maxEntries: number, maxBytes: number): Entry[] {
    let position = this.windowPosition(from)
    if (position < 0) return []
    const entries: Entry[] = []
    let bytes = 0
    for (; position < this.window.length && entries.length < maxEntries; position++) {
      const entry = this.window[position]!
      if (entries.length > 0 && bytes + entry.data.length > maxBytes) break
      entries.push(entry)
      bytes += entry.data.length
    }
    return entries
  }

  /** Window entries in (after, through]; they start after `after` (an entry end). */
  between(after: number, through: number): Entry[] {
    const entries: Entry[] = []
    let position = this.windowPosition(after + 1)
    if (position < 0) return entries
    for (; position < this.window.length; position++) {
      const entry = this.window[position]!
      if (entry.index + entry.span - 1 > through) break
      entries.push(entry)
    }
    return entries
  }

  /** Entries the host has not been told to write yet. */
  unstable(): Entry[] {
    return this.between(this.hostLastIndex, this.lastIndex)
  }

  /** Forgets payloads of entries ending at or below `through`. */
  trimWindow(through: number): void {
    let count = 0
    while (count < this.window.length) {
      const entry = this.window[count]!
      if (entry.index + entry.span - 1 > through) break
      this.windowBytes -= entry.data.length
      count++
    }
    if (count > 0) this.window.splice(0, count)
  }

  /** Runs clipped to [firstIndex, through]. */
  runsThrough(through: number): TermRun[] {
    return this.runs.filter((run) => run.startIndex <= through).map((run) => ({ ...run }))
  }

  /**
   * The last index where this log agrees with a leader's log given by its runs over
   * [leaderFirst, leaderLast]: an index of the same term in both means identical logs up to the
   * end of that entry, and a term's entries were all written by its one leader in sequence.
   */
  agreementWith(leaderFirst: number, leaderRuns: readonly TermRun[], leaderLast: number): number {
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const run = this.runs[i]!
      const j = leaderRuns.findIndex((candidate) => candidate.term === run.term)
      if (j < 0) continue
      const leaderStart = Math.max(leaderRuns[j]!.startIndex, leaderFirst)
      const leaderEnd = j + 1 < leaderRuns.length ? leaderRuns[j + 1]!.startIndex - 1 : leaderLast
      const low = Math.max(run.startIndex, leaderStart)
      const high = Math.min(this.runEnd(i), leaderEnd)
      if (low <= high) return high
    }
    return this.firstIndex - 1
  }

  /** Makes the log end at `through`, then adopts the leader's runs above it (after a restore). */
  adoptRuns(leaderFirst: number, leaderRuns: readonly TermRun[], through: number, keepThrough: number): void {
    this.window = []
    this.windowBytes = 0
    if (keepThrough < leaderFirst - 1) {
      this.firstIndex = leaderFirst
      this.runs = leaderRuns.map((run) => ({ ...run }))
    } else {
      this.runs = this.runs.filter((run) => run.startIndex <= keepThrough)
      for (const run of leaderRuns) {
        const end = nextStart(leaderRuns, run, through + 1) - 1
        if (end <= keepThrough) continue
        const start = Math.max(run.startIndex, keepThrough + 1)
        if (this.lastTerm() === run.term && this.runs.length > 0) continue
        this.runs.push({ term: run.term, startIndex: start })
      }
    }
    this.lastIndex = through
    this.hostLastIndex = through
    this.persistedIndex = through
    this.pendingTruncateFrom = undefined
    checkLog(this)
  }

  private runContaining(index: number): number {
    let low = 0
    let high = this.runs.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (this.runs[middle]!.startIndex <= index) low = middle
      else high = middle - 1
    }
    return low
  }

  /** Position in the window of the entry starting at index, or -1. */
  private windowPosition(index: number): number {
    let low = 0
    let high = this.window.length - 1
    while (low <= high) {
      const middle = (low + high) >> 1
      const start = this.window[middle]!.index
      if (start === index) return middle
      if (start < index) low = middle + 1
      else high = middle - 1
    }
    return -1
  }
}

function nextStart(runs: readonly TermRun[], run: TermRun, fallback: number): number {
  const position = runs.indexOf(run)
  return runs[position + 1]?.startIndex ?? fallback
}

/** Programmer errors in what the host handed over crash loudly. */
function checkLog(log: RaftLog): void {
  const empty = log.lastIndex === log.firstIndex - 1
  if (log.lastIndex < log.firstIndex - 1) throw new Error('raft: lastIndex below firstIndex - 1')
  if (!empty && log.runs[0]?.startIndex !== log.firstIndex)
    throw new Error('raft: runs must start at firstIndex')
  if (empty && log.runs.length > 0) throw new Error('raft: runs given for an empty log')
  for (let i = 1; i < log.runs.length; i++) {
    const previous = log.runs[i - 1]!
    const run = log.runs[i]!
    if (run.term <= previous.term || run.startIndex <= previous.startIndex) {
      throw new Error('raft: term runs must increase in term and start')
    }
  }
  const lastRun = log.runs[log.runs.length - 1]
  if (lastRun !== undefined && lastRun.startIndex > log.lastIndex) throw new Error('raft: run past lastIndex')
  const last = log.window[log.window.length - 1]
  if (last !== undefined && last.index + last.span - 1 !== log.lastIndex) {
    throw new Error('raft: the tail must end at lastIndex')
  }
}
