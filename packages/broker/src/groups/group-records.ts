// The records of the internal topic __consumer_offsets: committed offsets and group metadata,
// keyed so that the latest record per key wins and a tombstone (null value) deletes the key. The
// topic can therefore be compacted by key, and a coordinator rebuilds its groups by replaying it.
//   offset key   = msgpack [1, groupId, topic, partition]
//   offset value = msgpack { version: 0, offset, metadata, commitTimestampMs }
//   group key    = msgpack [2, groupId]
//   group value  = msgpack { version: 0, protocolType, protocolName, generationId, leader,
//                    members: [{ memberId, groupInstanceId?, clientId, clientHost, sessionTimeoutMs,
//                               rebalanceTimeoutMs, metadata: bin, assignment: bin }] }
//   consumer-group key   = msgpack [3, groupId]   (the broker-driven protocol's membership)
//   consumer-group value = msgpack { version: 0, groupEpoch, members: [{ memberId, clientId,
//                    clientHost, sessionTimeoutMs, epoch, topics: [str], assigned: [[topic, [int]]],
//                    held: [[topic, [int]]] }] }   (held: what the member may still own)
// Keys are arrays so equal keys are equal bytes (compaction compares bytes). A key whose first
// element is a number this build does not know is skipped (a newer broker wrote it); a known key
// or value that does not decode is LOG_CORRUPTED.
import { decodeBody, encodeBody, keyHash, WeirError } from '@weir/protocol'

export const offsetsTopic = '__consumer_offsets'

/** Topics the broker owns: hidden from Metadata's topic list, not writable or deletable by clients. */
export function isInternalTopic(name: string): boolean {
  return name === offsetsTopic
}
const offsetKeyVersion = 1
const groupKeyVersion = 2
const consumerGroupKeyVersion = 3
const valueVersion = 0

/** The __consumer_offsets partition holding group `groupId`: its leader is the coordinator. */
export function offsetsPartitionFor(groupId: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1)
    throw new RangeError(`partitionCount must be a positive integer, got ${partitionCount}`)
  return keyHash(groupId) % partitionCount
}

export interface CommittedOffset {
  readonly offset: number
  readonly metadata: string
  readonly commitTimestampMs: number
}

export interface StoredMember {
  readonly memberId: string
  readonly groupInstanceId?: string
  readonly clientId: string
  readonly clientHost: string
  readonly sessionTimeoutMs: number
  readonly rebalanceTimeoutMs: number
  /** The member's metadata for the chosen protocol. */
  readonly metadata: Buffer
  readonly assignment: Buffer
}

/** A snapshot of a group's membership at the end of a rebalance (or when it became empty). */
export interface GroupMetadataValue {
  readonly protocolType: string
  /** '' when the group is empty. */
  readonly protocolName: string
  readonly generationId: number
  /** '' when the group is empty. */
  readonly leader: string
  readonly members: readonly StoredMember[]
}

/** One member of a broker-driven group as stored: enough to keep fencing and the no-double-owner
 *  rule across a coordinator failover. Partitions as [topic, numbers] pairs. */
export interface StoredConsumerMember {
  readonly memberId: string
  readonly clientId: string
  readonly clientHost: string
  readonly sessionTimeoutMs: number
  readonly epoch: number
  readonly topics: readonly string[]
  /** What the member was last told to own. */
  readonly assigned: ReadonlyArray<readonly [string, readonly number[]]>
  /** What it may still own besides: revoking, or last reported. */
  readonly held: ReadonlyArray<readonly [string, readonly number[]]>
}

export interface ConsumerGroupValue {
  readonly groupEpoch: number
  readonly members: readonly StoredConsumerMember[]
}

export type GroupLogEntry =
  | {
      readonly type: 'offset'
      readonly groupId: string
      readonly topic: string
      readonly partition: number
      /** null: tombstone (the offset is deleted). */
      readonly value: CommittedOffset | null
    }
  | { readonly type: 'group'; readonly groupId: string; readonly value: GroupMetadataValue | null }
  | { readonly type: 'consumer-group'; readonly groupId: string; readonly value: ConsumerGroupValue | null }

/** One record of __consumer_offsets as bytes; `value` null is a tombstone. */
export interface GroupLogRecord {
  readonly key: Buffer
  readonly value: Buffer | null
}

export function encodeGroupLogEntry(entry: GroupLogEntry): GroupLogRecord {
  if (entry.type === 'offset') {
    const key = encodeBody([offsetKeyVersion, entry.groupId, entry.topic, entry.partition])
    return { key, value: entry.value === null ? null : encodeBody({ version: valueVersion, ...entry.value }) }
  }
  if (entry.type === 'consumer-group') {
    const key = encodeBody([consumerGroupKeyVersion, entry.groupId])
    return { key, value: entry.value === null ? null : encodeBody({ version: valueVersion, ...entry.value }) }
  }
  const key = encodeBody([groupKeyVersion, entry.groupId])
  if (entry.value === null) return { key, value: null }
  const members = entry.value.members.map((member) => ({ ...member }))
  return { key, value: encodeBody({ version: valueVersion, ...entry.value, members }) }
}

/** The entry a record holds, or undefined for a key type written by a newer broker. */
export function decodeGroupLogRecord(record: GroupLogRecord): GroupLogEntry | undefined {
  let key: unknown
  try {
    key = decodeBody(record.key, 'group log key')
  } catch (error) {
    throw corrupted('key is not msgpack', error)
  }
  if (!Array.isArray(key) || typeof key[0] !== 'number') throw corrupted('key is not a versioned array')
  if (key[0] === offsetKeyVersion) return decodeOffsetEntry(key, record.value)
  if (key[0] === groupKeyVersion) return decodeGroupEntry(key, record.value)
  if (key[0] === consumerGroupKeyVersion) return decodeConsumerGroupEntry(key, record.value)
  return undefined
}

function decodeConsumerGroupEntry(key: unknown[], valueBytes: Buffer | null): GroupLogEntry {
  const groupId = key[1]
  if (typeof groupId !== 'string') throw corrupted('consumer group key must be [3, groupId]')
  if (valueBytes === null) return { type: 'consumer-group', groupId, value: null }
  const { groupEpoch, members } = decodeValue(valueBytes)
  if (!isCount(groupEpoch) || !Array.isArray(members))
    throw corrupted(`consumer group value of ${groupId} has a field of the wrong type`)
  return {
    type: 'consumer-group',
    groupId,
    value: { groupEpoch, members: members.map((member) => decodeConsumerMember(member, groupId)) },
  }
}

function decodeConsumerMember(value: unknown, groupId: string): StoredConsumerMember {
  const member = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  const { memberId, clientId, clientHost, sessionTimeoutMs, epoch, topics, assigned, held } = member
  if (
    typeof memberId !== 'string' ||
    typeof clientId !== 'string' ||
    typeof clientHost !== 'string' ||
    !isCount(sessionTimeoutMs) ||
    !isCount(epoch) ||
    !Array.isArray(topics) ||
    !topics.every((topic) => typeof topic === 'string') ||
    !isPartitionList(assigned) ||
    !isPartitionList(held)
  )
    throw corrupted(`a member of consumer group ${groupId} has a field of the wrong type`)
  return { memberId, clientId, clientHost, sessionTimeoutMs, epoch, topics, assigned, held }
}

function isPartitionList(value: unknown): value is Array<[string, number[]]> {
  return (
    Array.isArray(value) &&
    value.every(
      (entry) =>
        Array.isArray(entry) &&
        entry.length === 2 &&
        typeof entry[0] === 'string' &&
        Array.isArray(entry[1]) &&
        entry[1].every(isCount),
    )
  )
}

function decodeOffsetEntry(key: unknown[], valueBytes: Buffer | null): GroupLogEntry {
  const [, groupId, topic, partition] = key
  if (typeof groupId !== 'string' || typeof topic !== 'string' || !isCount(partition))
    throw corrupted('offset key must be [1, groupId, topic, partition]')
  if (valueBytes === null) return { type: 'offset', groupId, topic, partition, value: null }
  const value = decodeValue(valueBytes)
  const { offset, metadata, commitTimestampMs } = value
  if (!isCount(offset) || typeof metadata !== 'string' || typeof commitTimestampMs !== 'number')
    throw corrupted(`offset value of ${groupId}/${topic}/${partition} has a field of the wrong type`)
  return { type: 'offset', groupId, topic, partition, value: { offset, metadata, commitTimestampMs } }
}

function decodeGroupEntry(key: unknown[], valueBytes: Buffer | null): GroupLogEntry {
  const groupId = key[1]
  if (typeof groupId !== 'string') throw corrupted('group key must be [2, groupId]')
  if (valueBytes === null) return { type: 'group', groupId, value: null }
  const value = decodeValue(valueBytes)
  const { protocolType, protocolName, generationId, leader, members } = value
  if (
    typeof protocolType !== 'string' ||
    typeof protocolName !== 'string' ||
    !Number.isInteger(generationId) ||
    typeof leader !== 'string' ||
    !Array.isArray(members)
  )
    throw corrupted(`group value of ${groupId} has a field of the wrong type`)
  return {
    type: 'group',
    groupId,
    value: {
      protocolType,
      protocolName,
      generationId: generationId as number,
      leader,
      members: members.map((member) => decodeStoredMember(member, groupId)),
    },
  }
}

function decodeStoredMember(value: unknown, groupId: string): StoredMember {
  const member = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  const { memberId, groupInstanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs } = member
  const { metadata, assignment } = member
  if (
    typeof memberId !== 'string' ||
    (groupInstanceId !== undefined && groupInstanceId !== null && typeof groupInstanceId !== 'string') ||
    typeof clientId !== 'string' ||
    typeof clientHost !== 'string' ||
    !isCount(sessionTimeoutMs) ||
    !isCount(rebalanceTimeoutMs) ||
    !Buffer.isBuffer(metadata) ||
    !Buffer.isBuffer(assignment)
  )
    throw corrupted(`a member of group ${groupId} has a field of the wrong type`)
  const stored = {
    memberId,
    clientId,
    clientHost,
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    metadata,
    assignment,
  }
  return typeof groupInstanceId === 'string' ? { ...stored, groupInstanceId } : stored
}

function decodeValue(bytes: Buffer): Record<string, unknown> {
  let value: unknown
  try {
    value = decodeBody(bytes, 'group log value')
  } catch (error) {
    throw corrupted('value is not msgpack', error)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw corrupted('value is not a map')
  const fields = value as Record<string, unknown>
  if (!isCount(fields.version)) throw corrupted('value has no version')
  return fields
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

function corrupted(detail: string, cause?: unknown): WeirError {
  return new WeirError('LOG_CORRUPTED', `${offsetsTopic} record: ${detail}`, { cause })
}
