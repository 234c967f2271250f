// The server-side assignor of the broker-driven group protocol (ConsumerGroupHeartbeat), pure:
// which partitions each member should own. Uniform and sticky: every partition of a subscribed
// topic goes to exactly one member subscribed to it, counts differ by at most one when the
// subscriptions are the same, and a partition stays with its previous owner while that keeps the
// balance, so a join or a leave moves only the partitions it has to.

/** `topic\u0000partition`: one key per partition. */
export type PartitionKey = string

export function partitionKey(topic: string, partition: number): PartitionKey {
  return `${topic}\u0000${partition}`
}

export function splitPartitionKey(key: PartitionKey): { topic: string; partition: number } {
  const cut = key.lastIndexOf('\u0000')
  return { topic: key.slice(0, cut), partition: Number(key.slice(cut + 1)) }
}

export interface AssignmentMember {
  readonly memberId: string
  readonly topics: ReadonlySet<string>
}

/**
 * The target assignment. `partitionsOf(topic)` is the topic's partition count (undefined or 0 for
 * a topic that does not exist: nobody gets it). `previous` is the last target, for stickiness.
 */
export function uniformAssignment(
  members: readonly AssignmentMember[],
  partitionsOf: (topic: string) => number | undefined,
  previous: ReadonlyMap<string, ReadonlySet<PartitionKey>>,
): Map<string, Set<PartitionKey>> {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
  const result = new Map<string, Set<PartitionKey>>(sorted.map((member) => [member.memberId, new Set()]))
  const topics = [...new Set(sorted.flatMap((member) => [...member.topics]))].sort()
  const all: PartitionKey[] = []
  for (const topic of topics)
    for (let partition = 0; partition < (partitionsOf(topic) ?? 0); partition++)
      all.push(partitionKey(topic, partition))
  if (sorted.length === 0) return result
  const byId = new Map(sorted.map((member) => [member.memberId, member]))
  const quotaMin = Math.floor(all.length / sorted.length)
  let aboveMin = all.length % sorted.length
  const valid = new Set(all)
  const owner = new Map<PartitionKey, string>()
  // Sticky: keep previous partitions up to the minimum quota, then one more for as many members
  // as the remainder allows.
  for (const pass of ['minimum', 'remainder'] as const) {
    for (const member of sorted) {
      const kept = result.get(member.memberId)!
      const cap = pass === 'minimum' ? quotaMin : quotaMin + 1
      if (pass === 'remainder' && (aboveMin === 0 || kept.size > quotaMin)) continue
      for (const key of [...(previous.get(member.memberId) ?? [])].sort()) {
        if (kept.size >= cap) break
        if (!valid.has(key) || owner.has(key) || !member.topics.has(splitPartitionKey(key).topic)) continue
        kept.add(key)
        owner.set(key, member.memberId)
      }
      if (pass === 'remainder' && kept.size > quotaMin) aboveMin--
    }
  }
  // The rest to the least loaded subscribed member (ties: member id order).
  for (const key of all) {
    if (owner.has(key)) continue
    const { topic } = splitPartitionKey(key)
    let best: string | undefined
    for (const member of sorted) {
      if (!byId.get(member.memberId)!.topics.has(topic)) continue
      if (best === undefined || result.get(member.memberId)!.size < result.get(best)!.size)
        best = member.memberId
    }
    if (best === undefined) continue
    result.get(best)!.add(key)
    owner.set(key, best)
  }
  return result
}
