// Which records survive a clean of a compacted log. Pure: the cleaner reads the segments, feeds
// every record's key and offset here, then asks record by record whether it stays. No clock, no
// files: the cleaner passes `nowMs` and the history of earlier passes.

/** One record as the plan sees it. `key` is undefined for a record without a key. */
export interface PlannedRecord {
  readonly offset: number
  readonly key: string | undefined
  /** A null value: a delete marker for its key. */
  readonly tombstone: boolean
}

/** An earlier clean: every offset below `endOffset` had been cleaned by `cleanedAtMs`. */
export interface CleanerPass {
  readonly endOffset: number
  readonly cleanedAtMs: number
}

/** Passes kept in the checkpoint; past this the oldest unexpired ones are merged (conservatively). */
export const cleanerPassesMax = 1024

/**
 * Key -> offset of its latest record, bounded by `keysMax` entries: one clean covers only as many
 * segments as the map can hold. Cost per key: the key as a latin1 string (its bytes plus ~24 bytes
 * of string header) and a Map entry (~40 bytes), so a million 16-byte keys take about 80 MB.
 */
export class LatestOffsetMap {
  private readonly latest = new Map<string, number>()

  constructor(readonly keysMax: number) {}

  get size(): number {
    return this.latest.size
  }

  /** Notes a record; false (nothing noted) when the key is new and the map is full. */
  note(key: string, offset: number): boolean {
    const known = this.latest.get(key)
    if (known === undefined && this.latest.size >= this.keysMax) return false
    if (known === undefined || offset > known) this.latest.set(key, offset)
    return true
  }

  latestOffset(key: string): number | undefined {
    return this.latest.get(key)
  }
}

/**
 * Tombstones below this offset were first cleaned at least `deleteRetentionMs` ago and may go:
 * the newest pass that is that old says how far such cleaning reached.
 */
export function tombstoneCutoffOffset(
  passes: readonly CleanerPass[],
  nowMs: number,
  deleteRetentionMs: number,
): number {
  let cutoff = 0
  for (const pass of passes) {
    if (pass.cleanedAtMs <= nowMs - deleteRetentionMs) cutoff = Math.max(cutoff, pass.endOffset)
  }
  return cutoff
}

/**
 * Whether a record stays: records without a key are kept (a compacted topic refuses them at
 * Produce; older ones are left alone), an older record of a key goes, and the latest goes too
 * when it is a tombstone below `tombstoneCutoff`.
 */
export function survivesClean(
  record: PlannedRecord,
  latest: LatestOffsetMap,
  tombstoneCutoff: number,
): boolean {
  if (record.key === undefined) return true
  const newest = latest.latestOffset(record.key)
  if (newest !== undefined && record.offset < newest) return false
  return !(record.tombstone && record.offset < tombstoneCutoff)
}

/**
 * The pass history after a clean that reached `endOffset` at `nowMs`. Passes every tombstone
 * cutoff already covers collapse into the newest of them; past `cleanerPassesMax` the second
 * oldest is dropped, so its offsets count as cleaned at the later pass's time (tombstones stay
 * longer, never shorter).
 */
export function recordPass(
  passes: readonly CleanerPass[],
  pass: CleanerPass,
  deleteRetentionMs: number,
): CleanerPass[] {
  const expiredBefore = pass.cleanedAtMs - deleteRetentionMs
  let firstKept = 0
  for (let index = 0; index < passes.length; index++) {
    if (passes[index]!.cleanedAtMs <= expiredBefore) firstKept = index
  }
  const kept = passes.slice(firstKept)
  const last = kept.at(-1)
  if (last === undefined || pass.endOffset > last.endOffset) kept.push(pass)
  while (kept.length > cleanerPassesMax) kept.splice(1, 1)
  return kept
}
