// Range: per topic, the partitions are cut into contiguous ranges, one per subscribed member in
// member-id order; the first (count % members) members get one extra. Members subscribed to the
// same topics get the same partition numbers of each (useful for co-partitioned joins), at the
// cost of balance across many topics.
import {
  type Assignor,
  addPartition,
  emptyAssignments,
  normalizeMembers,
  sortAssignments,
} from './assignor.js'

export const rangeAssignor: Assignor = {
  name: 'range',
  assign(members, partitionsPerTopic) {
    const assignments = emptyAssignments(members)
    const normalized = normalizeMembers(members, partitionsPerTopic)
    for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const subscribers = normalized.filter((member) => member.topics.includes(topic))
      if (subscribers.length === 0) continue
      const base = Math.floor(count / subscribers.length)
      const extra = count % subscribers.length
      let next = 0
      subscribers.forEach((member, index) => {
        const size = base + (index < extra ? 1 : 0)
        for (let partition = next; partition < next + size; partition++)
          addPartition(assignments.get(member.memberId)!, topic, partition)
        next += size
      })
    }
    return sortAssignments(assignments)
  },
}
