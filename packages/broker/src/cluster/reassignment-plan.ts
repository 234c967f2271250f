// The next step of one partition's reassignment, decided by the partition's leader from its Raft
// group's config and the image's target. Single-server changes (Raft dissertation §4.1): one
// voter added or removed at a time, the next only once the last one committed (the core refuses
// otherwise), so any two consecutive configs share a majority and no joint consensus is needed.
// Every new replica is added first, so the group never has fewer copies than either set; the old
// ones go only once every added replica holds everything committed, so removing them never leaves
// a majority that still has to catch up (writes keep committing all along). A leader that is
// itself to go hands leadership to a caught-up member of the target first: a removed leader
// would otherwise lead until its own removal commits and then leave the group leaderless for an
// election. Pure.

export interface GroupMembership {
  readonly selfId: number
  /** The group's latest Raft config (a config entry takes effect as soon as it is appended). */
  readonly voters: readonly number[]
  /** A config entry is appended but not yet committed: nothing else may change until it is. */
  readonly configPending: boolean
  /** Whether a voter holds everything the leader has committed; the leader itself always does. */
  readonly holdsCommitted: (broker: number) => boolean
}

export type ReassignmentStep =
  | { readonly action: 'add'; readonly broker: number }
  | { readonly action: 'remove'; readonly broker: number }
  | { readonly action: 'transfer'; readonly to: number }
  | { readonly action: 'complete' }
  | { readonly action: 'wait'; readonly why: string }

/**
 * What the leader does next to move its group from `replicas` (the image's current set) to
 * `target`. `complete` once the committed config is exactly the target's brokers.
 */
export function nextReassignmentStep(
  group: GroupMembership,
  replicas: readonly number[],
  target: readonly number[],
): ReassignmentStep {
  if (group.configPending) return { action: 'wait', why: 'the last membership change is not committed yet' }
  const voters = new Set(group.voters)
  const missing = target.find((id) => !voters.has(id))
  if (missing !== undefined) return { action: 'add', broker: missing }
  const extra = group.voters.filter((id) => !target.includes(id))
  if (extra.length === 0) return { action: 'complete' }
  const behind = target.filter((id) => !replicas.includes(id) && !group.holdsCommitted(id))
  if (behind.length > 0) return { action: 'wait', why: `broker ${behind.join(', ')} is still catching up` }
  if (extra.includes(group.selfId)) {
    const successor = target.find((id) => id !== group.selfId && group.holdsCommitted(id))
    if (successor === undefined)
      return { action: 'wait', why: 'no member of the target holds the whole log yet' }
    return { action: 'transfer', to: successor }
  }
  return { action: 'remove', broker: extra[0]! }
}
