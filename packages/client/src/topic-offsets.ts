// Offsets of every partition of a topic, asked of each partition's leader with ListOffsets:
// KafkaJS's admin.fetchTopicOffsets (log start and end) and fetchTopicOffsetsByTimestamp (the
// first offset at or after a time). The CLI uses them to start `weir consume` at `--offset
// @timestamp` and to know where `-e` stops.
import { OffsetSpec, WeirError } from '@weir/protocol'
import type { Cluster } from './cluster.js'
import { listOffsets } from './partition-fetcher.js'

export interface TopicPartitionOffsets {
  readonly partition: number
  /** The log start offset: the oldest offset still stored. */
  readonly low: number
  /** The log end offset (high watermark): the offset the next record will get. */
  readonly high: number
}

export interface PartitionOffsetAt {
  readonly partition: number
  /** The first offset whose record is at or after the time; the log end when none is. */
  readonly offset: number
}

export async function fetchTopicOffsets(cluster: Cluster, topic: string): Promise<TopicPartitionOffsets[]> {
  const partitions = await partitionsOf(cluster, topic)
  const [low, high] = await Promise.all([
    listOffsets(cluster, partitions, OffsetSpec.earliest),
    listOffsets(cluster, partitions, OffsetSpec.latest),
  ])
  return partitions.map(({ partition }, index) => ({ partition, low: low[index]!, high: high[index]! }))
}

export async function fetchTopicOffsetsByTimestamp(
  cluster: Cluster,
  topic: string,
  timestampMs: number,
): Promise<PartitionOffsetAt[]> {
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) {
    throw new WeirError(
      'INVALID_CONFIG',
      `a timestamp must be milliseconds since the epoch (an integer >= 0), got ${timestampMs}`,
    )
  }
  const partitions = await partitionsOf(cluster, topic)
  const offsets = await listOffsets(cluster, partitions, timestampMs)
  return partitions.map(({ partition }, index) => ({ partition, offset: offsets[index]! }))
}

/** Fresh metadata, so a topic created a moment ago is found and a missing one fails at once. */
async function partitionsOf(cluster: Cluster, topic: string) {
  const metadata = await cluster.topic(topic, { refresh: true })
  return [...metadata.partitions]
    .map((entry) => ({ topic, partition: entry.partition }))
    .sort((a, b) => a.partition - b.partition)
}
