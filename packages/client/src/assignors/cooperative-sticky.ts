// Cooperative-sticky: members keep the partitions they own while that stays valid (the topic
// still exists, they still subscribe, nobody has a newer claim) and balanced; only the partitions
// balance requires move, and they move in two rebalances.
//
// How the output supports the cooperative protocol: `planCooperativeAssignment` computes the
// balanced `target`, then withholds from `assignment` every partition that some other member
// still owns. That member sees the partition missing from its new assignment, stops reading it,
// commits, and rejoins at once (the client rejoins whenever its assignment lost partitions). In
// that follow-up rebalance nobody owns the partition any more, so it is assigned to its new
// member. A partition is never read by two members at once, and partitions that stay put are never
// paused. Partitions of members that left, new partitions and unowned ones are assigned at once.
//
// Balance: with equal subscriptions every member ends with floor(P/M) or ceil(P/M) partitions,
// and the members already holding the most keep the ceil quotas, so the number of partitions
// taken from members is the minimum balance needs. With unequal subscriptions partitions go to
// the least loaded eligible member, then move from a member to an eligible one with at least two
// fewer until no such move exists (a heuristic: balanced when it can be, bounded work).
import {
  type Assignor,
  type AssignorMember,
  addPartition,
  compare,
  emptyAssignments,
  type MemberAssignment,
  normalizeMembers,
  sortAssignments,
} from './assignor.js'

export interface CooperativePlan {
  /** Where every partition ends up once the transfers are done. */
  readonly target: Map<string, MemberAssignment>
  /** What to hand out in this rebalance: `target` minus partitions another member still owns. */
  readonly assignment: Map<string, MemberAssignment>
}

type Member = { memberId: string; topics: Set<string>; held: string[] }

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`

export function planCooperativeAssignment(
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): CooperativePlan {
  const normalized = normalizeMembers(members, partitionsPerTopic)
  const all = allPartitions(normalized, partitionsPerTopic)
  const claims = ownershipClaims(normalized, all)
  const state: Member[] = normalized.map(({ memberId, topics }) => ({
    memberId,
    topics: new Set(topics),
    held: [],
  }))
  const byId = new Map(state.map((member) => [member.memberId, member]))
  const unassigned = new Set(all.keys())
  for (const [partitionKey, owners] of claims) {
    const winner = soleWinner(owners)
    if (winner === undefined || !byId.get(winner)!.topics.has(all.get(partitionKey)!.topic)) continue
    byId.get(winner)!.held.push(partitionKey)
    unassigned.delete(partitionKey)
  }
  if (sameSubscriptions(state)) trimToQuotas(state, all.size, unassigned)
  fillLeastLoaded(state, [...unassigned].sort(), all)
  rebalance(state, all)
  const target = emptyAssignments(members)
  const assignment = emptyAssignments(members)
  for (const member of state)
    for (const partitionKey of member.held) {
      const { topic, partition } = all.get(partitionKey)!
      addPartition(target.get(member.memberId)!, topic, partition)
      const owners = claims.get(partitionKey) ?? []
      if (owners.every((owner) => owner.memberId === member.memberId))
        addPartition(assignment.get(member.memberId)!, topic, partition)
    }
  return { target: sortAssignments(target), assignment: sortAssignments(assignment) }
}

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  assign: (members, partitionsPerTopic) => planCooperativeAssignment(members, partitionsPerTopic).assignment,
}

/** Every partition of a topic that at least one member subscribes to, by key. */
function allPartitions(
  members: { topics: string[] }[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): Map<string, { topic: string; partition: number }> {
  const topics = [...new Set(members.flatMap((member) => member.topics))].sort(compare)
  const all = new Map<string, { topic: string; partition: number }>()
  for (const topic of topics)
    for (let partition = 0; partition < (partitionsPerTopic.get(topic) ?? 0); partition++)
      all.set(key(topic, partition), { topic, partition })
  return all
}

type Claim = { memberId: string; generationId: number }

function ownershipClaims(
  members: { memberId: string; member: AssignorMember }[],
  all: Map<string, unknown>,
): Map<string, Claim[]> {
  const claims = new Map<string, Claim[]>()
  for (const { memberId, member } of members)
    for (const [topic, partitions] of member.ownedPartitions)
      for (const partition of partitions) {
        const partitionKey = key(topic, partition)
        if (!all.has(partitionKey)) continue
        const claim = { memberId, generationId: member.generationId ?? -1 }
        const list = claims.get(partitionKey)
        if (list === undefined) claims.set(partitionKey, [claim])
        else list.push(claim)
      }
  return claims
}

/** The one claim with the newest generation; undefined when the newest is shared (both revoke). */
function soleWinner(claims: Claim[]): string | undefined {
  const newest = Math.max(...claims.map((claim) => claim.generationId))
  const winners = claims.filter((claim) => claim.generationId === newest)
  return winners.length === 1 ? winners[0]!.memberId : undefined
}

function sameSubscriptions(members: Member[]): boolean {
  const first = members[0]
  if (first === undefined) return true
  return members.every(
    (member) =>
      member.topics.size === first.topics.size &&
      [...member.topics].every((topic) => first.topics.has(topic)),
  )
}

/** Equal subscriptions: the (total % M) members holding the most keep ceil, the others floor; extras are freed. */
function trimToQuotas(members: Member[], total: number, unassigned: Set<string>): void {
  const floor = Math.floor(total / members.length)
  let ceilings = total % members.length
  const byLoad = [...members].sort((a, b) => b.held.length - a.held.length || compare(a.memberId, b.memberId))
  for (const member of byLoad) {
    const quota = ceilings > 0 && member.held.length > floor ? floor + 1 : floor
    if (quota > floor) ceilings -= 1
    member.held.sort()
    for (const freed of member.held.splice(quota)) unassigned.add(freed)
  }
}

function fillLeastLoaded(
  members: Member[],
  partitionKeys: string[],
  all: Map<string, { topic: string }>,
): void {
  for (const partitionKey of partitionKeys) {
    const topic = all.get(partitionKey)!.topic
    let best: Member | undefined
    for (const member of members)
      if (member.topics.has(topic) && (best === undefined || member.held.length < best.held.length))
        best = member
    best?.held.push(partitionKey)
  }
}

/** Moves single partitions from a member to an eligible one with at least two fewer; bounded. */
function rebalance(members: Member[], all: Map<string, { topic: string }>): void {
  for (let moves = 0; moves < all.size; moves++) {
    let moved = false
    const byLoad = [...members].sort(
      (a, b) => b.held.length - a.held.length || compare(a.memberId, b.memberId),
    )
    for (const from of byLoad) {
      const index = from.held.findIndex((partitionKey) =>
        members.some(
          (to) => to.held.length + 1 < from.held.length && to.topics.has(all.get(partitionKey)!.topic),
        ),
      )
      if (index < 0) continue
      const partitionKey = from.held[index]!
      const to = members
        .filter(
          (member) =>
            member.held.length + 1 < from.held.length && member.topics.has(all.get(partitionKey)!.topic),
        )
        .sort((a, b) => a.held.length - b.held.length || compare(a.memberId, b.memberId))[0]!
      from.held.splice(index, 1)
      to.held.push(partitionKey)
      moved = true
      break
    }
    if (!moved) return
  }
}
