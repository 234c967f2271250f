// Rebuilds what a Raft node needs at start from its partition log and hard state: the term runs
// (where each term's entries begin), the latest membership, and the entries above the commit index
// (the core keeps those in memory). One sequential pass over the batch headers; committed entries
// are handed to `replay` so the controller can rebuild its metadata image in the same pass.
import {
  type ClusterConfig,
  decodeConfig,
  type Entry,
  EntryKind,
  type HardState,
  type RestoredState,
  type TermRun,
} from '@weir/raft'
import type { PartitionLog } from '@weir/storage'
import { batchesIn, entryOfBatch } from './raft-batches.js'
import { indexOfOffset } from './raft-index.js'

const readBytes = 1024 * 1024

export async function restoreFromLog(
  log: PartitionLog,
  hardState: HardState,
  initialConfig: ClusterConfig,
  replay?: (entry: Entry) => void,
): Promise<RestoredState> {
  const termRuns: TermRun[] = []
  const tail: Entry[] = []
  let config = initialConfig
  let offset = log.logStartOffset
  const end = log.logEndOffset
  // A commit above the log (a hard state written after a crash cut the log's tail) cannot be trusted.
  const commit = Math.min(hardState.commit, indexOfOffset(end) - 1)
  while (offset < end) {
    const read = await log.read(offset, readBytes)
    if (read.nextOffset <= offset) break
    for (const batch of batchesIn(read.bytes)) {
      const entry = entryOfBatch(batch)
      if (entry.index + entry.span - 1 < indexOfOffset(offset)) continue
      if (termRuns.at(-1)?.term !== entry.term) termRuns.push({ term: entry.term, startIndex: entry.index })
      if (entry.kind === EntryKind.config) config = decodeConfig(entry.data)
      // The read buffer is reused by nobody, so entries may keep views into it.
      if (entry.index + entry.span - 1 > commit) tail.push(entry)
      else replay?.(entry)
    }
    offset = read.nextOffset
  }
  return {
    hardState: { ...hardState, commit },
    config,
    firstIndex: indexOfOffset(log.logStartOffset),
    lastIndex: indexOfOffset(end) - 1,
    termRuns,
    tail,
  }
}
