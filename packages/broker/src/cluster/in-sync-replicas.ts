// Which replicas of a partition are in sync: Kafka's ISR in Raft terms. The leader, and every
// follower that held everything committed at some moment within the lag window. A follower is
// compared with the commit index of that earlier moment, not the current one, so one that stays a
// few entries behind under steady load remains in the set (Kafka's lastCaughtUpTime works the
// same way). Pure: the leader's replica feeds it the time, the commit index and the followers'
// match indexes on every tick.

export class InSyncReplicas {
  /** (time, commit index) per tick within the window; commit never goes back while leading. */
  private samples: { atMs: number; commit: number }[] = []
  private readonly caughtUpAtMs = new Map<number, number>()
  private current: readonly number[] = []

  constructor(
    private readonly selfId: number,
    private readonly voters: readonly number[],
    private readonly lagMaxMs: number,
  ) {}

  /** In the order of the replica list; empty unless this replica leads. */
  get members(): readonly number[] {
    return this.current
  }

  /**
   * One leader tick. Returns whether the set changed. `voters` is the group's config now (a
   * reassignment changes it), the replicas given at construction otherwise.
   */
  update(
    nowMs: number,
    commit: number,
    matches: ReadonlyMap<number, number>,
    voters: readonly number[] = this.voters,
  ): boolean {
    this.samples.push({ atMs: nowMs, commit })
    let expired = 0
    while (expired < this.samples.length - 1 && nowMs - this.samples[expired]!.atMs > this.lagMaxMs) expired++
    if (expired > 0) this.samples.splice(0, expired)
    for (const [id, match] of matches) {
      const at = this.latestHeld(match)
      if (at !== undefined && at > (this.caughtUpAtMs.get(id) ?? Number.NEGATIVE_INFINITY))
        this.caughtUpAtMs.set(id, at)
    }
    const next = voters.filter(
      (id) =>
        id === this.selfId ||
        nowMs - (this.caughtUpAtMs.get(id) ?? Number.NEGATIVE_INFINITY) <= this.lagMaxMs,
    )
    if (sameList(next, this.current)) return false
    this.current = next
    return true
  }

  /** Leadership ended. Returns whether the set changed (it empties). */
  reset(): boolean {
    this.samples = []
    this.caughtUpAtMs.clear()
    const changed = this.current.length > 0
    this.current = []
    return changed
  }

  /** The time of the newest sample whose commit index is at most `match` (binary search). */
  private latestHeld(match: number): number | undefined {
    let low = 0
    let high = this.samples.length - 1
    let found: number | undefined
    while (low <= high) {
      const middle = (low + high) >> 1
      if (this.samples[middle]!.commit <= match) {
        found = this.samples[middle]!.atMs
        low = middle + 1
      } else high = middle - 1
    }
    return found
  }
}

function sameList(left: readonly number[], right: readonly number[]): boolean {
  return left.length === right.length && left.every((id, index) => id === right[index])
}
