// Which follower a leader hands its group to when it must stop leading (SIGTERM, a drain). Pure:
// the replica feeds it the Raft progress of its followers and its in-sync set.
//
// The best target is the one that takes over soonest without losing anything: a follower that is
// replicating (it answered recently, so it is up), in sync if any is, and furthest along the log,
// since Raft's transfer first sends it what it lacks and only then tells it to campaign. A
// follower the leader is still probing or restoring is likely down or far behind: handing to it
// would stall the group for an election timeout, so it is never chosen.
import type { ProgressView } from '@weir/raft'

/**
 * The follower to transfer leadership to, or undefined when none is fit: not `selfId`, not in
 * `avoid` (draining brokers), replicating; in-sync ones first, then the highest match, then the
 * lowest id (the same answer on every call, so repeated checks do not flip between targets).
 */
export function handoffTarget(
  selfId: number,
  progress: ReadonlyMap<number, ProgressView>,
  inSync: readonly number[],
  avoid: ReadonlySet<number>,
): number | undefined {
  let best: { id: number; inSync: boolean; match: number } | undefined
  for (const [id, view] of progress) {
    if (id === selfId || avoid.has(id) || view.state !== 'replicate') continue
    const candidate = { id, inSync: inSync.includes(id), match: view.match }
    if (best === undefined || better(candidate, best)) best = candidate
  }
  return best?.id
}

function better(
  candidate: { id: number; inSync: boolean; match: number },
  best: { id: number; inSync: boolean; match: number },
): boolean {
  if (candidate.inSync !== best.inSync) return candidate.inSync
  if (candidate.match !== best.match) return candidate.match > best.match
  return candidate.id < best.id
}
