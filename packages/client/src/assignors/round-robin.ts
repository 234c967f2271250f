// Round-robin: every partition of every topic, in (topic, partition) order, is dealt to the members
// in member-id order, skipping members not subscribed to its topic. With equal subscriptions the
// counts differ by at most one.
import {
  type Assignor,
  addPartition,
  emptyAssignments,
  normalizeMembers,
  sortAssignments,
} from './assignor.js'

export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  assign(members, partitionsPerTopic) {
    const assignments = emptyAssignments(members)
    const normalized = normalizeMembers(members, partitionsPerTopic)
    if (normalized.length === 0) return assignments
    let cursor = 0
    for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!normalized.some((member) => member.topics.includes(topic))) continue
      for (let partition = 0; partition < count; partition++) {
        while (!normalized[cursor % normalized.length]!.topics.includes(topic)) cursor++
        addPartition(assignments.get(normalized[cursor % normalized.length]!.memberId)!, topic, partition)
        cursor++
      }
    }
    return sortAssignments(assignments)
  },
}
