// The bytes consumer-group members exchange through the coordinator for protocolType 'consumer':
// a member's subscription (JoinGroup protocol metadata) and its assignment (SyncGroup). Client and
// broker both read them (the client's assignors, the broker's partition-growth trigger and
// DescribeGroups), so the codec lives here.
//   subscription = { version: 0, topics: [str], ownedPartitions: [{ topic, partitions: [int] }],
//                    generationId: int, userData?: bin }
//   assignment   = { version: 0, partitions: [{ topic, partitions: [int] }], userData?: bin }
// Both are msgpack maps; topics sorted by name and partitions ascending, so equal values encode
// to equal bytes (the coordinator compares metadata bytes to tell whether a subscription changed).
// Decoding checks every field: the bytes come from another member and are untrusted.
import { decodeBody, encodeBody } from './body-codec.js'
import {
  array,
  bytes,
  type Fields,
  integer,
  integerItem,
  object,
  optionalInteger,
  string,
  stringItem,
} from './schema.js'
import { WeirError } from './weir-error.js'

/** The protocolType of consumer groups. */
export const consumerProtocolType = 'consumer'
/** Format version this build writes; it reads this version and newer (ignoring unknown fields). */
export const consumerProtocolVersion = 0
/** Most topics one subscription may name, and most partitions one assignment list may hold. */
export const subscriptionTopicsMax = 10_000
export const assignmentPartitionsMax = 1_000_000

/** Topic name → partition numbers (ascending, no duplicates). */
export type TopicPartitions = ReadonlyMap<string, readonly number[]>

export interface ConsumerSubscription {
  readonly topics: readonly string[]
  /** Partitions the member holds now; the cooperative protocol keeps them when it can. */
  readonly ownedPartitions: TopicPartitions
  /** The generation in which `ownedPartitions` were assigned, -1 when none. Breaks ties when two
   *  members claim the same partition (the older claim is stale). */
  readonly generationId: number
  readonly userData?: Buffer
}

export interface ConsumerAssignment {
  readonly partitions: TopicPartitions
  readonly userData?: Buffer
}

export function encodeConsumerSubscription(subscription: ConsumerSubscription): Buffer {
  const body: Record<string, unknown> = {
    version: consumerProtocolVersion,
    topics: [...new Set(subscription.topics)].sort(),
    ownedPartitions: topicPartitionsToWire(subscription.ownedPartitions),
    generationId: subscription.generationId,
  }
  if (subscription.userData !== undefined) body.userData = subscription.userData
  return encodeBody(body)
}

/** Decodes a subscription; INVALID_REQUEST naming the field when the bytes are not one. */
export function decodeConsumerSubscription(metadata: Uint8Array): ConsumerSubscription {
  const path = 'ConsumerSubscription'
  const fields = versioned(metadata, path)
  const subscription = {
    topics: array(fields, 'topics', path, stringItem, subscriptionTopicsMax),
    ownedPartitions: topicPartitionsFromWire(fields, 'ownedPartitions', path),
    generationId: optionalInteger(fields, 'generationId', path, -1, -1, 2_147_483_647),
  }
  return fields.userData === undefined || fields.userData === null
    ? subscription
    : { ...subscription, userData: bytes(fields, 'userData', path) }
}

export function encodeConsumerAssignment(assignment: ConsumerAssignment): Buffer {
  const body: Record<string, unknown> = {
    version: consumerProtocolVersion,
    partitions: topicPartitionsToWire(assignment.partitions),
  }
  if (assignment.userData !== undefined) body.userData = assignment.userData
  return encodeBody(body)
}

/** Decodes an assignment; empty bytes (what a member gets on error) are the empty assignment. */
export function decodeConsumerAssignment(bytesIn: Uint8Array): ConsumerAssignment {
  if (bytesIn.length === 0) return { partitions: new Map() }
  const path = 'ConsumerAssignment'
  const fields = versioned(bytesIn, path)
  const partitions = topicPartitionsFromWire(fields, 'partitions', path)
  return fields.userData === undefined || fields.userData === null
    ? { partitions }
    : { partitions, userData: bytes(fields, 'userData', path) }
}

function versioned(bytesIn: Uint8Array, path: string): Fields {
  const fields = object(decodeBody(bytesIn, path), path)
  integer(fields, 'version', path, consumerProtocolVersion, 32_767)
  return fields
}

function topicPartitionsToWire(partitions: TopicPartitions): { topic: string; partitions: number[] }[] {
  return [...partitions]
    .filter(([, numbers]) => numbers.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topic, numbers]) => ({ topic, partitions: [...new Set(numbers)].sort((a, b) => a - b) }))
}

function topicPartitionsFromWire(fields: Fields, name: string, path: string): Map<string, number[]> {
  const result = new Map<string, number[]>()
  let total = 0
  array(
    fields,
    name,
    path,
    (value, topicPath) => {
      const entry = object(value, topicPath)
      const topic = string(entry, 'topic', topicPath, 1000)
      const numbers = array(entry, 'partitions', topicPath, integerItem, assignmentPartitionsMax)
      total += numbers.length
      if (total > assignmentPartitionsMax)
        throw new WeirError(
          'INVALID_REQUEST',
          `field ${path}.${name} holds more than ${assignmentPartitionsMax} partitions`,
        )
      const merged = new Set([...(result.get(topic) ?? []), ...numbers])
      result.set(
        topic,
        [...merged].sort((a, b) => a - b),
      )
    },
    subscriptionTopicsMax,
  )
  return result
}
