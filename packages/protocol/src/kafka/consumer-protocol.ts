// Kafka's ConsumerProtocol: the bytes Kafka consumers exchange through the coordinator inside
// JoinGroup (a member's subscription, the protocol metadata) and SyncGroup (its assignment) when
// protocolType is 'consumer'. The coordinator carries them opaquely; the broker reads them only to
// know which topics a group follows (partition growth, unchanged rejoins) and to show a Kafka
// group's assignment in `weir groups describe`.
//   Subscription = version INT16, topics [STRING], user_data NULLABLE_BYTES,
//                  owned_partitions [topic STRING, partitions [INT32]] (v1+),
//                  generation_id INT32 (v2+, default -1), rack_id NULLABLE_STRING (v3+)
//   Assignment   = version INT16, assigned_partitions [topic STRING, partitions [INT32]],
//                  user_data NULLABLE_BYTES                                      (same in v0-v3)
// Kafka's rule for versions: a reader reads the fields of the newest version it knows and ignores
// the bytes after them, so a newer client's subscription still reads. The bytes come from another
// member and are untrusted: every failure is INVALID_REQUEST, never another kind of throw.
import { assignmentPartitionsMax, subscriptionTopicsMax } from '../consumer-protocol.js'
import { WeirError } from '../weir-error.js'
import { KafkaReader } from './reader.js'
import { KafkaWriter } from './writer.js'

/** The protocolType Kafka consumers send; stored as `kafkaConsumerProtocolType` in Weir's groups. */
export const kafkaClientConsumerProtocolType = 'consumer'
/**
 * What a Kafka consumer group's protocolType is inside Weir: Weir's own consumers use 'consumer'
 * with msgpack metadata, so a distinct name keeps the two from ever joining one group (the
 * coordinator answers INCONSISTENT_GROUP_PROTOCOL to the second kind).
 */
export const kafkaConsumerProtocolType = 'kafka:consumer'
/** Newest subscription layout we read (Kafka 3.x writes up to v3). */
export const consumerProtocolSubscriptionVersionMax = 3
/** Newest assignment version we know; every version so far has the v0 layout. */
export const consumerProtocolAssignmentVersionMax = 3

export interface KafkaTopicPartitions {
  readonly topic: string
  readonly partitions: readonly number[]
}

export interface ConsumerProtocolSubscription {
  readonly version: number
  readonly topics: readonly string[]
  readonly userData: Buffer | null
  /** v1+; [] before. */
  readonly ownedPartitions: readonly KafkaTopicPartitions[]
  /** v2+; -1 before. */
  readonly generationId: number
  /** v3+; null before. */
  readonly rackId: string | null
}

export interface ConsumerProtocolAssignment {
  readonly version: number
  readonly partitions: readonly KafkaTopicPartitions[]
  readonly userData: Buffer | null
}

/** A Kafka client's protocolType as Weir stores it ('consumer' → 'kafka:consumer'; others as they are). */
export function weirProtocolTypeOfKafka(protocolType: string): string {
  return protocolType === kafkaClientConsumerProtocolType ? kafkaConsumerProtocolType : protocolType
}

/** The stored protocolType as a Kafka client expects it back ('kafka:consumer' → 'consumer'). */
export function kafkaProtocolTypeOfWeir(protocolType: string): string {
  return protocolType === kafkaConsumerProtocolType ? kafkaClientConsumerProtocolType : protocolType
}

export function encodeConsumerProtocolSubscription(subscription: ConsumerProtocolSubscription): Buffer {
  const writer = new KafkaWriter()
  const layout = Math.min(subscription.version, consumerProtocolSubscriptionVersionMax)
  writer.int16(subscription.version)
  writer.arrayLength(subscription.topics.length)
  for (const topic of subscription.topics) writer.nullableString(topic)
  writer.nullableBytes(subscription.userData)
  if (layout >= 1) writeTopicPartitions(writer, subscription.ownedPartitions)
  if (layout >= 2) writer.int32(subscription.generationId)
  if (layout >= 3) writer.nullableString(subscription.rackId)
  return writer.finish()
}

/** Reads a subscription; INVALID_REQUEST naming what is wrong when the bytes are not one. */
export function decodeConsumerProtocolSubscription(metadata: Uint8Array): ConsumerProtocolSubscription {
  const reader = readerOf(metadata)
  return guarded('subscription', () => {
    const version = readVersion(reader, 'subscription')
    const layout = Math.min(version, consumerProtocolSubscriptionVersionMax)
    const topicCount = count(reader, 'subscription topics', subscriptionTopicsMax)
    const topics: string[] = []
    for (let index = 0; index < topicCount; index++) topics.push(topicName(reader))
    const userData = copyOf(reader.nullableBytes())
    const ownedPartitions = layout >= 1 ? readTopicPartitions(reader, 'owned partitions') : []
    const generationId = layout >= 2 ? reader.int32() : -1
    const rackId = layout >= 3 ? reader.nullableString() : null
    return { version, topics, userData, ownedPartitions, generationId, rackId }
  })
}

export function encodeConsumerProtocolAssignment(assignment: ConsumerProtocolAssignment): Buffer {
  const writer = new KafkaWriter()
  writer.int16(assignment.version)
  writeTopicPartitions(writer, assignment.partitions)
  writer.nullableBytes(assignment.userData)
  return writer.finish()
}

/** Reads an assignment; empty bytes (what a member gets on error) are the empty assignment. */
export function decodeConsumerProtocolAssignment(bytes: Uint8Array): ConsumerProtocolAssignment {
  if (bytes.length === 0) return { version: 0, partitions: [], userData: null }
  const reader = readerOf(bytes)
  return guarded('assignment', () => {
    const version = readVersion(reader, 'assignment')
    const partitions = readTopicPartitions(reader, 'assigned partitions')
    // KafkaJS's decoder accepts an assignment that stops before user_data; so do we.
    const userData = reader.remaining === 0 ? null : copyOf(reader.nullableBytes())
    return { version, partitions, userData }
  })
}

function readerOf(bytes: Uint8Array): KafkaReader {
  return new KafkaReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
}

/** The reader's own errors say "request"; these bytes are a member's metadata, so say that. */
function guarded<T>(what: string, read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof WeirError)
      throw new WeirError(
        'INVALID_REQUEST',
        `Kafka consumer-protocol ${what} is malformed (${error.message}); the client that joined ` +
          'the group sent bytes that are not a Kafka ConsumerProtocol',
      )
    throw error
  }
}

function readVersion(reader: KafkaReader, what: string): number {
  const version = reader.int16()
  if (version < 0)
    throw new WeirError('INVALID_REQUEST', `Kafka consumer-protocol ${what} version ${version} is negative`)
  return version
}

function count(reader: KafkaReader, what: string, max: number): number {
  const length = reader.arrayLength()
  if (length === null) return 0
  if (length > max)
    throw new WeirError('INVALID_REQUEST', `Kafka consumer-protocol ${what}: ${length} (at most ${max})`)
  return length
}

function topicName(reader: KafkaReader): string {
  const name = reader.nullableString()
  if (name === null)
    throw new WeirError('INVALID_REQUEST', `a null topic name at byte ${reader.position - 2}`)
  return name
}

function readTopicPartitions(reader: KafkaReader, what: string): KafkaTopicPartitions[] {
  const topics: KafkaTopicPartitions[] = []
  const topicCount = count(reader, `${what} topics`, subscriptionTopicsMax)
  let total = 0
  for (let index = 0; index < topicCount; index++) {
    const topic = topicName(reader)
    const partitionCount = count(reader, `${what} of ${topic}`, assignmentPartitionsMax)
    total += partitionCount
    if (total > assignmentPartitionsMax)
      throw new WeirError(
        'INVALID_REQUEST',
        `Kafka consumer-protocol ${what}: more than ${assignmentPartitionsMax} partitions`,
      )
    const partitions: number[] = []
    for (let each = 0; each < partitionCount; each++) partitions.push(reader.int32())
    topics.push({ topic, partitions })
  }
  return topics
}

function writeTopicPartitions(writer: KafkaWriter, topics: readonly KafkaTopicPartitions[]): void {
  writer.arrayLength(topics.length)
  for (const { topic, partitions } of topics) {
    writer.nullableString(topic)
    writer.arrayLength(partitions.length)
    for (const partition of partitions) writer.int32(partition)
  }
}

/** The reader hands out views; a decoded value outlives the frame it came in, so it owns its bytes. */
function copyOf(bytes: Buffer | null): Buffer | null {
  return bytes === null ? null : Buffer.from(bytes)
}
