// Seek by time: the first offset of each partition whose record timestamp is at or after a moment
// (ListOffsets by timestamp, Kafka's offsetsForTimes). The broker answers with the log end offset
// when no record is that new, so seeking there waits for the next record.
import { WeirError } from '@weir/protocol'
import type { Cluster } from './cluster.js'
import { listOffsets, type PartitionOffset, type TopicPartition } from './partition-fetcher.js'

export async function offsetsForTimes(
  cluster: Cluster,
  partitions: readonly TopicPartition[],
  timestamp: number,
): Promise<PartitionOffset[]> {
  checkTimestamp(timestamp)
  if (partitions.length === 0) return []
  const offsets = await listOffsets(cluster, partitions, timestamp)
  return partitions.map(({ topic, partition }, index) => ({ topic, partition, offset: offsets[index]! }))
}

/** Milliseconds since the epoch; negative values are ListOffsets' earliest/latest markers, not times. */
export function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new WeirError(
      'INVALID_CONFIG',
      `a timestamp to seek to must be milliseconds since the epoch (an integer >= 0, e.g. Date.parse('2026-12-01T00:00:00Z')), got ${String(timestamp)}`,
    )
}
