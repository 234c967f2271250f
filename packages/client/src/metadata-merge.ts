// Metadata answers of several brokers, merged into one view. No single broker is trusted: one cut
// off from its peers answers leader -1 for everything (it lost contact), one that has not heard of
// an election yet names the old leader. Per partition the merge keeps a known leader over none and
// the newest leadership (highest leaderEpoch, the leader's Raft term) over older ones. Pure.
import type { MetadataPartition, MetadataResponse, MetadataTopic } from '@weir/protocol'

/** `current` with what `next` knows better; either may come first. */
export function mergeMetadata(
  current: MetadataResponse | undefined,
  next: MetadataResponse,
): MetadataResponse {
  if (current === undefined) return next
  const brokers = new Map(current.brokers.map((broker) => [broker.id, broker]))
  for (const broker of next.brokers) if (!brokers.has(broker.id)) brokers.set(broker.id, broker)
  const topics = new Map(current.topics.map((topic) => [topic.name, topic]))
  for (const topic of next.topics) {
    const known = topics.get(topic.name)
    topics.set(topic.name, known === undefined ? topic : mergeTopic(known, topic))
  }
  return {
    ...current,
    brokers: [...brokers.values()],
    controllerId: current.controllerId >= 0 ? current.controllerId : next.controllerId,
    topics: [...topics.values()],
  }
}

function mergeTopic(current: MetadataTopic, next: MetadataTopic): MetadataTopic {
  if (current.errorCode !== 0) return next.errorCode === 0 ? next : current
  if (next.errorCode !== 0) return current
  // A broker that applied a CreatePartitions knows more partitions: the longer list is newer.
  const [longer, shorter] =
    next.partitions.length > current.partitions.length ? [next, current] : [current, next]
  const partitions = longer.partitions.map((partition) => {
    const other = shorter.partitions.find((entry) => entry.partition === partition.partition)
    return other === undefined ? partition : newerPartition(partition, other)
  })
  return { ...longer, partitions }
}

/** The better of two answers for one partition: no error over an error, a leader over none, then the newer epoch. */
export function newerPartition(a: MetadataPartition, b: MetadataPartition): MetadataPartition {
  if (a.errorCode !== 0) return b.errorCode === 0 ? b : a
  if (b.errorCode !== 0) return a
  if (a.leader < 0) return b.leader >= 0 ? b : a
  if (b.leader < 0) return a
  return (b.leaderEpoch ?? -1) > (a.leaderEpoch ?? -1) ? b : a
}

/**
 * Why this answer is not enough and another broker should be asked too: the first topic or
 * partition (of those asked, or all when `topics` is null) that has an error, no leader, or a
 * leader this client could not reach lately; undefined when it is enough.
 */
export function metadataGap(
  response: MetadataResponse,
  topics: readonly string[] | null,
  unreachable: (brokerId: number) => boolean,
): string | undefined {
  for (const name of topics ?? []) {
    if (!response.topics.some((topic) => topic.name === name)) return `no answer for topic ${name}`
  }
  for (const topic of response.topics) {
    if (topic.errorCode !== 0) return `topic ${topic.name} has error ${topic.errorCode}`
    for (const partition of topic.partitions) {
      const where = `${topic.name}/${partition.partition}`
      if (partition.errorCode !== 0) return `${where} has error ${partition.errorCode}`
      if (partition.leader < 0) return `${where} has no leader`
      if (unreachable(partition.leader)) return `${where} is led by unreachable broker ${partition.leader}`
    }
  }
  return undefined
}
