// The committed prefix of a replica's log (its term runs and config up to an index) in a small
// file beside the log, so a restart reads the log only above that index instead of all of it: the
// job Kafka's leader-epoch checkpoint does. Committed entries never change, so the file stays
// true for the offsets it covers; start-up still checks it against the log and ignores (and
// deletes) a file the log no longer matches: retention moved the log start past it, or a crash
// under a lax fsync policy lost entries it covers.
import { join } from 'node:path'
import type { ClusterConfig, CommittedPrefix, TermRun } from '@weir/raft'
import type { FileIo } from '@weir/storage'

export const committedPrefixFileName = 'raft-prefix.json'

/** Written at most this often while a replica runs (and at close): a crash re-reads at most this much log. */
export const committedPrefixIntervalMs = 30_000

export class CommittedPrefixFile {
  private writtenAtMs = Number.NEGATIVE_INFINITY

  constructor(
    private readonly io: FileIo,
    private readonly directory: string,
  ) {}

  private get path(): string {
    return join(this.directory, committedPrefixFileName)
  }

  /** The saved prefix; undefined when missing or unreadable (it is only a shortcut). */
  async read(): Promise<CommittedPrefix | undefined> {
    if (!(await this.io.exists(this.path))) return undefined
    try {
      return parsePrefix(JSON.parse((await this.io.readFile(this.path)).toString('utf8')))
    } catch {
      return undefined
    }
  }

  /** Saves `prefix` if the last save is older than the interval (or `force`). */
  async maybeWrite(prefix: CommittedPrefix, nowMs: number, { force = false } = {}): Promise<void> {
    if (prefix.through < 0) return
    if (!force && nowMs - this.writtenAtMs < committedPrefixIntervalMs) return
    await this.io.writeFileAtomic(this.path, Buffer.from(`${JSON.stringify(prefix)}\n`))
    this.writtenAtMs = nowMs
  }

  /** Deletes the file durably (before the log below it changes, or when it no longer matches). */
  async remove(): Promise<void> {
    if (!(await this.io.exists(this.path))) return
    await this.io.unlink(this.path)
    await this.io.syncDirectory(this.directory)
    this.writtenAtMs = Number.NEGATIVE_INFINITY
  }
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= -1
}

function parsePrefix(value: unknown): CommittedPrefix | undefined {
  const fields = value as { through?: unknown; termRuns?: unknown; config?: { voters?: unknown } }
  if (typeof fields !== 'object' || fields === null || !isIndex(fields.through)) return undefined
  if (!Array.isArray(fields.termRuns) || !Array.isArray(fields.config?.voters)) return undefined
  const termRuns: TermRun[] = []
  for (const run of fields.termRuns as { term?: unknown; startIndex?: unknown }[]) {
    if (!isIndex(run?.term) || !isIndex(run?.startIndex)) return undefined
    const previous = termRuns.at(-1)
    if (previous !== undefined && (run.term <= previous.term || run.startIndex <= previous.startIndex))
      return undefined
    termRuns.push({ term: run.term, startIndex: run.startIndex })
  }
  const voters = fields.config.voters as unknown[]
  if (!voters.every((id) => typeof id === 'number' && Number.isInteger(id) && id > 0)) return undefined
  const config: ClusterConfig = { voters: voters as number[] }
  return { through: fields.through, termRuns, config }
}
