// Assignors decide which member of a consumer group reads which partition. The group leader runs
// one (the protocol the group chose) over every member's subscription; the coordinator only
// relays the result. Pure and deterministic: the same members and partition counts give the same
// answer whatever order the members arrive in, so a re-run (or a test) can check it.
import type { TopicPartitions } from '@weir/protocol'

export interface AssignorMember {
  readonly memberId: string
  /** Topics the member subscribes to; topics missing from partitionsPerTopic are ignored. */
  readonly subscription: readonly string[]
  /** Partitions the member holds now (cooperative protocol); empty for eager members. */
  readonly ownedPartitions: TopicPartitions
  /** Generation in which ownedPartitions were assigned (-1 or absent: unknown). Settles
   *  conflicting claims: the newer claim wins. */
  readonly generationId?: number
  readonly userData?: Buffer
}

/** Topic → partitions (ascending) for one member. */
export type MemberAssignment = Map<string, number[]>

export interface Assignor {
  /** The protocol name sent in JoinGroup, e.g. 'range'. */
  readonly name: string
  /** Every member gets an entry (possibly empty). Each partition of a subscribed topic goes to
   *  exactly one member that subscribes to it (cooperative-sticky may hold some back for one
   *  rebalance; see cooperative-sticky.ts). */
  assign(
    members: readonly AssignorMember[],
    partitionsPerTopic: ReadonlyMap<string, number>,
  ): Map<string, MemberAssignment>
}

/** Members sorted by id, each with its subscription narrowed to known topics, sorted. */
export function normalizeMembers(
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): { memberId: string; topics: string[]; member: AssignorMember }[] {
  return [...members]
    .sort((a, b) => compare(a.memberId, b.memberId))
    .map((member) => ({
      memberId: member.memberId,
      topics: [...new Set(member.subscription)]
        .filter((topic) => (partitionsPerTopic.get(topic) ?? 0) > 0)
        .sort(compare),
      member,
    }))
}

export function emptyAssignments(members: readonly AssignorMember[]): Map<string, MemberAssignment> {
  return new Map(
    [...members]
      .sort((a, b) => compare(a.memberId, b.memberId))
      .map((member) => [member.memberId, new Map()]),
  )
}

export function addPartition(assignment: MemberAssignment, topic: string, partition: number): void {
  const partitions = assignment.get(topic)
  if (partitions === undefined) assignment.set(topic, [partition])
  else partitions.push(partition)
}

/** Sorts every partition list and orders topics by name, so equal assignments look equal. */
export function sortAssignments(assignments: Map<string, MemberAssignment>): Map<string, MemberAssignment> {
  for (const [memberId, assignment] of assignments) {
    const sorted: MemberAssignment = new Map(
      [...assignment]
        .filter(([, partitions]) => partitions.length > 0)
        .sort(([a], [b]) => compare(a, b))
        .map(([topic, partitions]) => [topic, [...partitions].sort((a, b) => a - b)]),
    )
    assignments.set(memberId, sorted)
  }
  return assignments
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
