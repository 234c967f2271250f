// The cleaner's memory across restarts, one small JSON file per partition: how far each earlier
// pass reached and when (for tombstone expiry), and the tombstone cutoff the last pass applied (so
// a pass runs when tombstones newly expire even with nothing new to clean).
import { join } from 'node:path'
import type { CleanerPass } from './compaction-plan.js'
import type { FileIo } from './file-io.js'

export const cleanerCheckpointFileName = 'cleaner-checkpoint'

export interface CleanerCheckpoint {
  readonly passes: readonly CleanerPass[]
  readonly tombstoneCutoff: number
}

const empty: CleanerCheckpoint = { passes: [], tombstoneCutoff: 0 }

/** The checkpoint, or an empty one when missing or unreadable: a lost checkpoint only keeps tombstones longer. */
export async function readCleanerCheckpoint(io: FileIo, directory: string): Promise<CleanerCheckpoint> {
  const path = join(directory, cleanerCheckpointFileName)
  if (!(await io.exists(path))) return empty
  try {
    const parsed = JSON.parse((await io.readFile(path)).toString('utf8')) as Partial<CleanerCheckpoint>
    const passes = Array.isArray(parsed.passes) ? parsed.passes.filter(isPass) : []
    const cutoff = parsed.tombstoneCutoff
    return { passes, tombstoneCutoff: Number.isSafeInteger(cutoff) ? (cutoff as number) : 0 }
  } catch {
    return empty
  }
}

export async function writeCleanerCheckpoint(
  io: FileIo,
  directory: string,
  checkpoint: CleanerCheckpoint,
): Promise<void> {
  const body = `${JSON.stringify(checkpoint)}\n`
  await io.writeFileAtomic(join(directory, cleanerCheckpointFileName), Buffer.from(body))
}

/**
 * After a suffix truncation to `endOffset`, offsets from there on will hold new records that no
 * pass has cleaned: passes are cut back so their tombstones get the full retention.
 */
export async function truncateCleanerCheckpoint(
  io: FileIo,
  directory: string,
  endOffset: number,
): Promise<void> {
  const checkpoint = await readCleanerCheckpoint(io, directory)
  if (!checkpoint.passes.some((pass) => pass.endOffset > endOffset)) return
  const passes = checkpoint.passes.filter((pass) => pass.endOffset <= endOffset)
  await writeCleanerCheckpoint(io, directory, {
    passes,
    tombstoneCutoff: Math.min(checkpoint.tombstoneCutoff, endOffset),
  })
}

function isPass(value: unknown): value is CleanerPass {
  const pass = value as CleanerPass | null
  return (
    typeof pass === 'object' &&
    pass !== null &&
    Number.isSafeInteger(pass.endOffset) &&
    Number.isSafeInteger(pass.cleanedAtMs)
  )
}
