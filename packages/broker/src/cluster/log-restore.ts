// Rebuilds what a Raft node needs at start from its partition log and hard state: the term runs
// (where each term's entries begin), the latest membership, and the entries above the commit index
// (the core keeps those in memory). One sequential pass over the batches; committed entries are
// handed to `replay` so the controller can rebuild its metadata image in the same pass. With a
// saved committed prefix that still matches the log, the pass starts above it instead of at the
// log start: a restart reads the last moments of the log, not all of it.
import {
  type ClusterConfig,
  type CommittedPrefix,
  decodeConfig,
  type Entry,
  EntryKind,
  type HardState,
  type RestoredState,
  type TermRun,
} from '@weir/raft'
import type { PartitionLog } from '@weir/storage'
import { batchesIn, entryOfBatch } from './raft-batches.js'
import { indexOfOffset, offsetOfIndex } from './raft-index.js'

const readBytes = 1024 * 1024

export interface LogRestore {
  readonly state: RestoredState
  /** Whether the saved prefix was used; false when there was none or the log no longer matches it. */
  readonly prefixUsed: boolean
}

export async function restoreFromLog(
  log: PartitionLog,
  hardState: HardState,
  initialConfig: ClusterConfig,
  replay?: (entry: Entry) => void,
  saved?: CommittedPrefix,
): Promise<LogRestore> {
  const end = log.logEndOffset
  const firstIndex = indexOfOffset(log.logStartOffset)
  // A commit above the log (a hard state written after a crash cut the log's tail) cannot be trusted.
  const commit = Math.min(hardState.commit, indexOfOffset(end) - 1)
  // The controller replays every committed entry into its image: it always reads the whole log.
  const prefix = replay === undefined && saved !== undefined ? await usablePrefix(log, saved) : undefined
  const termRuns: TermRun[] = prefix ? [...prefix.termRuns] : []
  const known = prefix?.through ?? indexOfOffset(log.logStartOffset) - 1
  let config = prefix?.config ?? initialConfig
  const tail: Entry[] = []
  let offset = offsetOfIndex(Math.min(known, commit) + 1)
  while (offset < end) {
    const read = await log.read(offset, readBytes)
    if (read.nextOffset <= offset) break
    for (const batch of batchesIn(read.bytes)) {
      const entry = entryOfBatch(batch)
      if (entry.index + entry.span - 1 < indexOfOffset(offset)) continue
      // Entries the prefix covers are known already; they are read only to fill the tail.
      if (entry.index > known || termRuns.length === 0) {
        // A batch the log start cuts through still starts its run at the log start.
        const startIndex = Math.max(entry.index, firstIndex)
        if (termRuns.at(-1)?.term !== entry.term) termRuns.push({ term: entry.term, startIndex })
        if (entry.kind === EntryKind.config) config = decodeConfig(entry.data)
      }
      // The read buffer is reused by nobody, so entries may keep views into it.
      if (entry.index + entry.span - 1 > commit) tail.push(entry)
      else replay?.(entry)
    }
    offset = read.nextOffset
  }
  const state = {
    hardState: { ...hardState, commit },
    config,
    firstIndex,
    lastIndex: indexOfOffset(end) - 1,
    termRuns,
    tail,
  }
  return { state, prefixUsed: prefix !== undefined }
}

/**
 * `saved` clipped to the log's start, if the log still holds what it describes: the range it
 * covers lies inside the log, and the entries at both ends of that range carry the terms it says.
 */
async function usablePrefix(log: PartitionLog, saved: CommittedPrefix): Promise<CommittedPrefix | undefined> {
  const first = indexOfOffset(log.logStartOffset)
  const last = indexOfOffset(log.logEndOffset) - 1
  if (saved.through < first || saved.through > last) return undefined
  const runs = clipRuns(saved.termRuns, first)
  if (runs.length === 0 || runs[0]!.startIndex !== first) return undefined
  const termAt = (index: number) => runs.findLast((run) => run.startIndex <= index)?.term
  for (const index of [first, saved.through]) {
    const entry = await entryAt(log, index)
    if (entry === undefined || entry.term !== termAt(index)) return undefined
    // `through` is a commit index, so it ends an entry; an entry straddling it means another log.
    if (index === saved.through && entry.index + entry.span - 1 !== saved.through) return undefined
  }
  return { ...saved, termRuns: runs }
}

/** The runs from `first` on: the run holding `first` starts there. */
function clipRuns(runs: readonly TermRun[], first: number): TermRun[] {
  const clipped: TermRun[] = []
  for (let i = 0; i < runs.length; i++) {
    const next = runs[i + 1]
    if (next !== undefined && next.startIndex <= first) continue
    clipped.push({ term: runs[i]!.term, startIndex: Math.max(runs[i]!.startIndex, first) })
  }
  return clipped
}

async function entryAt(log: PartitionLog, index: number): Promise<Entry | undefined> {
  const read = await log.read(offsetOfIndex(index), 1)
  for (const batch of batchesIn(read.bytes)) {
    const entry = entryOfBatch(batch)
    if (entry.index <= index && index < entry.index + entry.span) return entry
  }
  return undefined
}
