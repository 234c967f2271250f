// A Raft group's hard state (term, vote, commit) in a small JSON file beside its log. Term and vote
// are fsynced before any message that depends on them leaves (Raft's safety needs that); a change
// of commit alone is written at most once per commitWriteIntervalMs, because a commit index that
// lags after a crash is safe (the leader tells the replica again) and an fsync per batch is not free.
// It also keeps `repairThrough` while a replica whose log lost entries (a corrupt segment cut away)
// copies them back: a restart mid-repair must not forget that its log is short of what it acked.
import { join } from 'node:path'
import { WeirError } from '@weir/protocol'
import type { HardState } from '@weir/raft'
import type { FileIo } from '@weir/storage'

export const hardStateFileName = 'raft-state.json'
const commitWriteIntervalMs = 1000

export class HardStateFile {
  private saved: HardState
  private writing: Promise<void> = Promise.resolve()
  private savedAtMs = 0
  private repair: number | undefined

  private constructor(
    private readonly io: FileIo,
    private readonly path: string,
    initial: HardState,
    repairThrough?: number,
  ) {
    this.saved = initial
    this.repair = repairThrough
  }

  /** Reads the file in `directory`; a missing file is a new replica (all zero). */
  static async open(io: FileIo, directory: string): Promise<HardStateFile> {
    const path = join(directory, hardStateFileName)
    if (!(await io.exists(path))) return new HardStateFile(io, path, { term: 0, vote: 0, commit: -1 })
    let parsed: Partial<HardState>
    try {
      parsed = JSON.parse((await io.readFile(path)).toString('utf8')) as Partial<HardState>
    } catch (error) {
      throw new WeirError(
        'LOG_CORRUPTED',
        `${path} is not valid JSON; restore it or remove the replica's directory to resync it from the leader`,
        { cause: error },
      )
    }
    // JSON `null` or a number parses too: anything but an object has no fields.
    const fields: Partial<HardState> & { repairThrough?: unknown } =
      typeof parsed === 'object' && parsed !== null ? parsed : {}
    const { term, vote, commit, repairThrough } = fields
    const valid = [term, vote].every((value) => Number.isSafeInteger(value) && (value as number) >= 0)
    if (!valid || !Number.isSafeInteger(commit) || (commit as number) < -1) {
      throw new WeirError(
        'LOG_CORRUPTED',
        `${path} does not hold term and vote (non-negative) and commit (from -1) as integers`,
      )
    }
    if (
      repairThrough !== undefined &&
      !(Number.isSafeInteger(repairThrough) && (repairThrough as number) >= 0)
    ) {
      throw new WeirError(
        'LOG_CORRUPTED',
        `${path} holds repairThrough ${String(repairThrough)}, not an index`,
      )
    }
    return new HardStateFile(
      io,
      path,
      { term: term!, vote: vote!, commit: commit! },
      repairThrough as number | undefined,
    )
  }

  get state(): HardState {
    return this.saved
  }

  /** The index the log must reach again before this replica may vote or lead; undefined: none. */
  get repairThrough(): number | undefined {
    return this.repair
  }

  /** Persists (durably, at once) that the log must reach `index` again, or with undefined that it has. */
  async setRepairThrough(index: number | undefined, nowMs: number): Promise<void> {
    this.repair = index
    await this.write(this.saved, nowMs)
  }

  /**
   * Persists `next`: durably at once when term or vote changed, lazily when only commit did.
   * Resolves with whether it wrote.
   */
  async save(next: HardState, nowMs: number): Promise<boolean> {
    const safetyChanged = next.term !== this.saved.term || next.vote !== this.saved.vote
    if (!safetyChanged && nowMs - this.savedAtMs < commitWriteIntervalMs) {
      return false
    }
    await this.write(next, nowMs)
    return true
  }

  /**
   * Writes whatever is newest (close, so a clean restart starts with an exact commit). Writes run
   * one at a time in call order (they share a temporary file); a write claims the commit interval
   * when it starts, so commit-only saves made while it runs wait for the next interval.
   */
  async write(next: HardState, nowMs: number): Promise<void> {
    this.savedAtMs = nowMs
    const run = this.writing.then(async () => {
      const body = this.repair === undefined ? next : { ...next, repairThrough: this.repair }
      await this.io.writeFileAtomic(this.path, Buffer.from(`${JSON.stringify(body)}\n`))
      this.saved = next
    })
    this.writing = run.catch(() => {})
    await run
  }
}
