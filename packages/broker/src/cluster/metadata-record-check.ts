// What makes a metadata record acceptable, at three places. Its fields (checkTopicCreated and the
// other per-type checks) when it arrives from a peer or is read back from the log. Its effect on
// the image (checkAgainstImage) when it is committed: every broker runs this on the same records
// in the same order, so a record it refuses is skipped by all of them alike and the images stay
// identical; it depends on nothing local (not --peers, not the disk). And the whole proposal
// (checkProposal) on the controller leader before it commits anything: that adds the checks a
// committed record cannot repeat, such as which brokers exist. Pure: errors are typed, nothing is
// logged here.
import { WeirError } from '@weir/protocol'
import {
  checkTopicName,
  defaultLogConfig,
  type LogConfig,
  partitionCountMax,
  resolveLogConfig,
} from '@weir/storage'
import { checkAclRecord, isAclRecord } from '../acl/acl-records.js'
import { checkUserRecord, isUserRecord } from '../auth/user-records.js'
import { offsetsTopic } from '../groups/group-records.js'
import { checkBrokerProposal } from './broker-proposal-check.js'
import { checkBrokerRecord, isBrokerRecord } from './broker-registry.js'
import type { ClusterImage, MetadataRecord } from './cluster-image.js'
import { checkDrainRecord, isDrainRecord } from './drain-records.js'
import type { Peer } from './peers.js'
import { checkPlacement, type PlacementLimits } from './placement-limits.js'
import {
  checkCompletion,
  checkKnownBrokers,
  checkPartitionField,
  checkReplicaList,
  checkThrottleField,
} from './reassignment-records.js'

/** The controller's own log: never the topic of any record. */
export const controllerTopic = '__cluster_metadata'
/** Change and topic ids are random ids; anything far longer is not one of ours. */
const idLengthMax = 200
const brokerIdMax = 2 ** 31 - 1
const logConfigKeys: ReadonlySet<string> = new Set(Object.keys(defaultLogConfig))

/**
 * Who asks for a change. `user`: a client request, here or forwarded by a peer. `broker`: this
 * controller leader's own upkeep (creating __consumer_offsets, adopting local topics), the only
 * one that may create an internal topic.
 */
export type ProposalOrigin = 'user' | 'broker'

type Fields = Partial<Record<string, unknown>>
type RecordOf<Type extends MetadataRecord['type']> = Extract<MetadataRecord, { type: Type }>

function malformed(why: string): WeirError {
  return new WeirError('INVALID_REQUEST', `metadata record: ${why}`)
}

/**
 * Shape check for a record from a peer (ControllerPropose) or the log, by type: INVALID_REQUEST
 * for a malformed record, INVALID_TOPIC for a bad name, INVALID_CONFIG for a bad config.
 */
export function checkMetadataRecord(value: unknown): MetadataRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('not a map')
  const record = value as Fields
  const { type } = record
  if (typeof type !== 'string' || !Object.hasOwn(fieldChecks, type)) {
    throw malformed(`unknown type ${JSON.stringify(type)}`)
  }
  return fieldChecks[type as MetadataRecord['type']](record)
}

/** Fields every topic record has: a valid topic name, an optional change id. */
export function checkCommonFields(record: Fields): void {
  if (typeof record.name !== 'string' || record.name === '') throw malformed('name must be a string')
  checkTopicName(record.name)
  checkChange(record)
}

/** The optional change id every record may carry (see MetadataRecord). */
function checkChange(record: Fields): { change?: string } {
  const { change } = record
  if (change !== undefined && (typeof change !== 'string' || change === '' || change.length > idLengthMax))
    throw malformed(`change must be a string of 1 to ${idLengthMax} characters`)
  return change === undefined ? {} : { change: change as string }
}

/** ACL and user records name no topic: their own checks, plus the change id. */
function checkAclFields(record: Fields): MetadataRecord {
  const change = checkChange(record)
  return { ...checkAclRecord(record), ...change }
}

function checkBrokerFields(record: Fields): MetadataRecord {
  const change = checkChange(record)
  return { ...checkBrokerRecord(record as Record<string, unknown>, malformed), ...change }
}

function checkUserFields(record: Fields): MetadataRecord {
  const change = checkChange(record)
  return { ...checkUserRecord(record as Record<string, unknown>, malformed), ...change }
}

function checkDrainFields(record: Fields): MetadataRecord {
  const change = checkChange(record)
  return { ...checkDrainRecord(record as Record<string, unknown>, malformed), ...change }
}

export function checkTopicCreated(record: Fields): RecordOf<'topicCreated'> {
  checkCommonFields(record)
  if (typeof record.id !== 'string' || record.id === '' || record.id.length > idLengthMax)
    throw malformed('topicCreated needs an id')
  checkReplicaSets(record.replicas, 'topicCreated')
  checkStoredConfig(record.config, `topic ${String(record.name)}`)
  return record as RecordOf<'topicCreated'>
}

export function checkPartitionsCreated(record: Fields): RecordOf<'partitionsCreated'> {
  checkCommonFields(record)
  checkReplicaSets(record.replicas, 'partitionsCreated')
  const { first } = record
  if (first !== undefined && !(Number.isInteger(first) && (first as number) >= 0))
    throw malformed('partitionsCreated.first must be a partition count')
  return record as RecordOf<'partitionsCreated'>
}

export function checkTopicDeleted(record: Fields): RecordOf<'topicDeleted'> {
  checkCommonFields(record)
  return record as RecordOf<'topicDeleted'>
}

function checkPartitionReassigned(record: Fields): RecordOf<'partitionReassigned'> {
  checkCommonFields(record)
  checkPartitionField(record.partition, 'partitionReassigned')
  checkReplicaList(record.replicas, 'partitionReassigned.replicas')
  checkThrottleField(record.throttleBytesPerSec)
  const throttleBytesPerSec = record.throttleBytesPerSec as number | undefined
  return {
    type: 'partitionReassigned',
    name: record.name as string,
    partition: record.partition as number,
    replicas: record.replicas as number[],
    ...(throttleBytesPerSec ? { throttleBytesPerSec } : {}),
    ...checkChange(record),
  }
}

function checkReassignmentCompleted(record: Fields): RecordOf<'reassignmentCompleted'> {
  checkCommonFields(record)
  checkPartitionField(record.partition, 'reassignmentCompleted')
  checkReplicaList(record.replicas, 'reassignmentCompleted.replicas')
  return {
    type: 'reassignmentCompleted',
    name: record.name as string,
    partition: record.partition as number,
    replicas: record.replicas as number[],
    ...checkChange(record),
  }
}

/** One field check per record type: a new type does not compile until it has one. */
const fieldChecks: Record<MetadataRecord['type'], (record: Fields) => MetadataRecord> = {
  topicCreated: checkTopicCreated,
  partitionsCreated: checkPartitionsCreated,
  topicDeleted: checkTopicDeleted,
  aclsCreated: checkAclFields,
  aclsDeleted: checkAclFields,
  userCredentialSet: checkUserFields,
  userDeleted: checkUserFields,
  brokerRegistered: checkBrokerFields,
  brokerRemoved: checkBrokerFields,
  partitionReassigned: checkPartitionReassigned,
  reassignmentCompleted: checkReassignmentCompleted,
  brokerDrainChanged: checkDrainFields,
}

/** 1 to partitionCountMax replica sets, each of distinct positive broker ids. */
function checkReplicaSets(value: unknown, type: string): void {
  if (!Array.isArray(value) || value.length === 0) throw malformed(`${type} needs replicas`)
  if (value.length > partitionCountMax) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${type} names ${value.length} partitions; a topic has at most ${partitionCountMax}`,
    )
  }
  for (const set of value as unknown[]) {
    const valid =
      Array.isArray(set) &&
      set.length > 0 &&
      set.every((id) => Number.isInteger(id) && id > 0 && id <= brokerIdMax) &&
      new Set(set).size === set.length
    if (!valid)
      throw malformed(`${type} has a replica set that is not distinct broker ids: ${JSON.stringify(set)}`)
  }
}

/** A topic's stored config: only LogConfig fields, each within its range (storage's check). */
function checkStoredConfig(value: unknown, what: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`${what} needs a config map`)
  }
  for (const [key, entry] of Object.entries(value)) {
    if (!logConfigKeys.has(key)) {
      throw new WeirError('INVALID_CONFIG', `${what}: ${key} is not a topic config`)
    }
    if (entry === undefined) continue // an unset field: storage's default applies
    // Storage checks ranges of numbers; anything else (a bigint from msgpack) must not reach it.
    const fsyncWord = key === 'fsync' && (entry === 'always' || entry === 'never')
    // The policy's words are checked by resolveLogConfig below.
    const policyWord = key === 'cleanupPolicy' && typeof entry === 'string'
    if (typeof entry !== 'number' && !fsyncWord && !policyWord) {
      throw new WeirError('INVALID_CONFIG', `${what}: ${key} must be a number, got a ${typeof entry}`)
    }
  }
  resolveLogConfig(value as Partial<LogConfig>)
}

/**
 * Whether `record` may change `image` as committed: the metadata log is no record's topic, the
 * internal __consumer_offsets is never deleted or grown, a growth starts where the topic ends and
 * stays within partitionCountMax. A creation of a topic that exists and a change of one that does
 * not are left to ClusterImage.apply, which ignores them (a retry whose first attempt committed).
 */
export function checkAgainstImage(record: MetadataRecord, image: ClusterImage): void {
  // ACLs may name topics not created yet; users, drains and brokers are not topics: none depends on the image.
  if (isAclRecord(record) || isUserRecord(record) || isDrainRecord(record) || isBrokerRecord(record)) return
  switch (record.type) {
    case 'topicCreated':
      checkNotMetadataLog(record.name)
      break
    case 'topicDeleted':
      checkNotMetadataLog(record.name)
      checkNotOffsetsTopic(record.name)
      break
    case 'partitionsCreated':
      checkNotMetadataLog(record.name)
      checkNotOffsetsTopic(record.name)
      checkGrowth(record, image)
      break
    // __consumer_offsets may move: a broker being decommissioned must hand its partitions over.
    case 'partitionReassigned':
      checkNotMetadataLog(record.name)
      checkPartitionExists(record, image)
      break
    case 'reassignmentCompleted':
      checkNotMetadataLog(record.name)
      if (image.topic(record.name) !== undefined)
        checkCompletion(record, image.targets.of(record.name, record.partition))
      break
  }
}

function checkPartitionExists(record: { name: string; partition: number }, image: ClusterImage): void {
  const count = image.topic(record.name)?.replicas.length
  if (count !== undefined && record.partition >= count)
    throw new WeirError(
      'UNKNOWN_PARTITION',
      `topic ${record.name} has partitions 0 to ${count - 1}, not ${record.partition}`,
    )
}

export interface ProposalContext {
  readonly image: ClusterImage
  /** The brokers of the cluster (`--peers`, plus registered, minus removed): a replica set may name no other. */
  readonly brokerIds: readonly number[]
  /** The same brokers with their addresses, for membership changes. */
  readonly brokers?: readonly Peer[]
  readonly origin: ProposalOrigin
  /** The leader's maxTopics and maxPartitionsPerBroker; user proposals must stay within them. */
  readonly placement?: PlacementLimits
}

/**
 * The controller leader's check of a proposal before it commits it: the record's fields, its
 * effect on the image, and what only the leader can check: that the topic exists (or not, for a
 * creation), that only the brokers' own upkeep creates an internal topic, and that every replica
 * is a broker of the cluster.
 */
export function checkProposal(record: MetadataRecord, context: ProposalContext): void {
  checkMetadataRecord(record)
  checkAgainstImage(record, context.image)
  if (isBrokerRecord(record)) {
    checkBrokerProposal(record, context)
    return
  }
  if (isAclRecord(record) || isUserRecord(record)) return
  if (isDrainRecord(record)) {
    checkDrainedBroker(record.id, context.brokerIds)
    return
  }
  const exists = context.image.topic(record.name) !== undefined
  switch (record.type) {
    case 'topicCreated':
      if (exists) throw new WeirError('TOPIC_ALREADY_EXISTS', `topic ${record.name} already exists`)
      if (record.name === offsetsTopic && context.origin !== 'broker') {
        throw new WeirError('INVALID_TOPIC', `${offsetsTopic} is created by the brokers themselves`)
      }
      checkReplicaBrokers(record.replicas, context.brokerIds)
      checkUserPlacement(context, { newTopic: true, newReplicas: record.replicas })
      break
    case 'topicDeleted':
      checkExists(record.name, exists)
      break
    case 'partitionsCreated':
      checkExists(record.name, exists)
      checkReplicaBrokers(record.replicas, context.brokerIds)
      checkUserPlacement(context, { newTopic: false, newReplicas: record.replicas })
      break
    case 'partitionReassigned':
      checkExists(record.name, exists)
      checkKnownBrokers(record.replicas, context.brokerIds, `${record.name}/${record.partition}`)
      break
    case 'reassignmentCompleted':
      checkExists(record.name, exists)
      break
  }
}

/** The brokers' own upkeep (__consumer_offsets, adopted topics) is never refused for space. */
function checkUserPlacement(context: ProposalContext, change: Parameters<typeof checkPlacement>[1]): void {
  if (context.placement !== undefined && context.origin === 'user')
    checkPlacement(context.image, change, context.placement)
}

function checkNotMetadataLog(name: string): void {
  if (name === controllerTopic) {
    throw new WeirError('INVALID_TOPIC', `${controllerTopic} is the cluster's own metadata log`)
  }
}

function checkNotOffsetsTopic(name: string): void {
  if (name === offsetsTopic) {
    throw new WeirError(
      'INVALID_TOPIC',
      `${offsetsTopic} is internal to the brokers: it cannot be deleted and its partitions cannot change`,
    )
  }
}

function checkGrowth(record: RecordOf<'partitionsCreated'>, image: ClusterImage): void {
  const count = image.topic(record.name)?.replicas.length
  if (count === undefined) return
  if (record.first !== undefined && record.first !== count) {
    // The proposer assigned replicas from a stale image (it had just restarted).
    throw new WeirError(
      'INVALID_CONFIG',
      `topic ${record.name} has ${count} partitions, not the ${record.first} the receiving broker knew; retry the request`,
    )
  }
  if (count + record.replicas.length > partitionCountMax) {
    throw new WeirError(
      'INVALID_CONFIG',
      `topic ${record.name} would have ${count + record.replicas.length} partitions; the most is ${partitionCountMax}`,
    )
  }
}

function checkExists(name: string, exists: boolean): void {
  if (!exists) {
    throw new WeirError(
      'UNKNOWN_TOPIC',
      `topic ${name} does not exist; list topics with \`weir topics list\``,
    )
  }
}

function checkDrainedBroker(id: number, brokerIds: readonly number[]): void {
  if (!brokerIds.includes(id))
    throw new WeirError(
      'INVALID_CONFIG',
      `broker ${id} is not in this cluster (brokers ${brokerIds.join(', ')}); drain one of those`,
    )
}

function checkReplicaBrokers(sets: readonly (readonly number[])[], brokerIds: readonly number[]): void {
  const known = new Set(brokerIds)
  for (const set of sets) {
    const stranger = set.find((id) => !known.has(id))
    if (stranger !== undefined) {
      throw new WeirError(
        'INVALID_CONFIG',
        `broker ${stranger} is not in this cluster (brokers ${brokerIds.join(', ')}); replicas must be on its brokers`,
      )
    }
  }
}
