// The partitions a member's assignment bytes name, for `weir groups describe` and lag. A group's
// protocolType says how to read them: Weir's consumers ('consumer') write msgpack, Kafka consumers
// (stored as 'kafka:consumer' by the broker's Kafka listener) write Kafka's ConsumerProtocol.
import { consumerProtocolType, decodeConsumerAssignment, Kafka } from '@weir/protocol'
import type { GroupPartition } from './membership-decisions.js'

/** [] for an empty assignment, an opaque protocol type, or bytes that are not an assignment. */
export function assignedPartitions(protocolType: string, bytes: Buffer): GroupPartition[] {
  if (bytes.length === 0) return []
  try {
    if (protocolType === Kafka.kafkaConsumerProtocolType)
      return Kafka.decodeConsumerProtocolAssignment(bytes).partitions.flatMap(({ topic, partitions }) =>
        [...new Set(partitions)].sort((a, b) => a - b).map((partition) => ({ topic, partition })),
      )
    if (protocolType !== consumerProtocolType) return []
    const { partitions } = decodeConsumerAssignment(bytes)
    return [...partitions].flatMap(([topic, numbers]) => numbers.map((partition) => ({ topic, partition })))
  } catch {
    // A member's bytes are its own business: a display must not fail on them.
    return []
  }
}
