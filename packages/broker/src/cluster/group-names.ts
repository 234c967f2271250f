// A partition's Raft group is named `topic/partition`; topic names cannot hold '/', so the last
// slash splits it.
export function groupOf(topic: string, partition: number): string {
  return `${topic}/${partition}`
}

export function topicOfGroup(group: string): { topic: string; partition: number } {
  const slash = group.lastIndexOf('/')
  return { topic: group.slice(0, slash), partition: Number(group.slice(slash + 1)) }
}
