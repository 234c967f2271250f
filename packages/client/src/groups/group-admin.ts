// Consumer-group administration behind Admin: list, describe (members, assignments, committed
// offsets, log end offsets and lag), reset offsets of an idle group, delete. Group requests go to
// the group's coordinator; log end offsets come from ListOffsets to each partition's leader.
import {
  DeleteGroups,
  type DescribedGroup,
  DescribeGroups,
  errorFromWire,
  type GroupState,
  ListGroups,
  ListOffsets,
  OffsetCommit,
  OffsetFetch,
  OffsetSpec,
  WeirError,
} from '@weir/protocol'
import type { Cluster } from '../cluster.js'
import { assignedPartitions } from './assigned-partitions.js'
import { CoordinatorClient } from './coordinator-client.js'
import type { GroupPartition } from './membership-decisions.js'

export interface ListedGroupSummary {
  readonly groupId: string
  /** 'consumer' for Weir consumer groups, 'kafka:consumer' for Kafka ones, '' for a group that only stores offsets. */
  readonly protocolType: string
  readonly state: GroupState
}

export interface GroupMemberDescription {
  readonly memberId: string
  readonly groupInstanceId: string | undefined
  readonly clientId: string
  readonly host: string
  /** Empty while a rebalance is in progress. */
  readonly assignment: readonly GroupPartition[]
}

export interface GroupOffsetDescription {
  readonly topic: string
  readonly partition: number
  /** The next offset the group will read; -1 when nothing is committed. */
  readonly committedOffset: number
  /** The partition's high watermark (next offset to be written). */
  readonly logEndOffset: number
  /** logEndOffset − committedOffset (≥ 0); null when nothing is committed. */
  readonly lag: number | null
}

export interface GroupDescription {
  readonly groupId: string
  readonly state: GroupState
  /** The chosen assignor, '' when the group has no members. */
  readonly protocol: string
  readonly generationId: number
  readonly members: readonly GroupMemberDescription[]
  /** Committed partitions and assigned ones, sorted by topic then partition. */
  readonly offsets: readonly GroupOffsetDescription[]
}

/** Where resetOffsets moves a group: the log start, the log end, or the first record at or after a time (ms since the epoch). */
export type OffsetResetSpec = 'earliest' | 'latest' | number

export async function listGroups(cluster: Cluster): Promise<ListedGroupSummary[]> {
  const metadata = await cluster.metadata([])
  const groups = new Map<string, ListedGroupSummary>()
  for (const broker of metadata.brokers) {
    const connection = await cluster.connectionFor(broker.id)
    const response = await connection.request(ListGroups, { statesFilter: [] })
    for (const group of response.groups) groups.set(group.groupId, group)
  }
  return [...groups.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0))
}

export async function describeGroup(cluster: Cluster, groupId: string): Promise<GroupDescription> {
  const coordinator = new CoordinatorClient(cluster, groupId)
  const described = await describeOne(coordinator, groupId)
  const members = described.members.map((member) => ({
    memberId: member.memberId,
    groupInstanceId: member.groupInstanceId,
    clientId: member.clientId,
    host: member.clientHost,
    assignment: assignedPartitions(described.protocolType, member.assignment),
  }))
  const fetched = await coordinator.requestWithRetry(OffsetFetch, { groupId, topics: null }, 'commit')
  const committed = new Map<string, number>()
  for (const topic of fetched.topics)
    for (const partition of topic.partitions)
      if (partition.errorCode === 0 && partition.offset >= 0)
        committed.set(partitionKey(topic.name, partition.partition), partition.offset)
  const partitions = new Map<string, GroupPartition>()
  for (const topic of fetched.topics)
    for (const { partition } of topic.partitions)
      partitions.set(partitionKey(topic.name, partition), { topic: topic.name, partition })
  for (const member of members)
    for (const entry of member.assignment) partitions.set(partitionKey(entry.topic, entry.partition), entry)
  const sorted = [...partitions.values()].sort((a, b) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
  )
  const ends = await listOffsets(cluster, sorted, OffsetSpec.latest)
  return {
    groupId,
    state: described.state,
    protocol: described.protocolName,
    generationId: described.generationId,
    members,
    offsets: sorted.map(({ topic, partition }) => {
      const key = partitionKey(topic, partition)
      const committedOffset = committed.get(key) ?? -1
      const logEndOffset = ends.get(key) ?? -1
      return {
        topic,
        partition,
        committedOffset,
        logEndOffset,
        lag: committedOffset < 0 ? null : Math.max(0, logEndOffset - committedOffset),
      }
    }),
  }
}

/** Commits new positions for every partition of `topic`; NON_EMPTY_GROUP while the group has members. */
export async function resetOffsets(
  cluster: Cluster,
  groupId: string,
  topic: string,
  to: OffsetResetSpec,
): Promise<GroupPartitionOffset[]> {
  const timestamp = to === 'earliest' ? OffsetSpec.earliest : to === 'latest' ? OffsetSpec.latest : to
  if (!Number.isSafeInteger(timestamp) || (typeof to === 'number' && to < 0))
    throw new WeirError(
      'INVALID_REQUEST',
      `reset target must be 'earliest', 'latest' or a time in ms since the epoch, got ${JSON.stringify(to)}`,
    )
  const coordinator = new CoordinatorClient(cluster, groupId)
  const described = await describeOne(coordinator, groupId)
  if (described.members.length > 0)
    throw new WeirError(
      'NON_EMPTY_GROUP',
      `group ${groupId} has ${described.members.length} live member(s) (state ${described.state}); stop its consumers before resetting its offsets`,
    )
  const metadata = await cluster.topic(topic, { refresh: true })
  const partitions = metadata.partitions
    .map(({ partition }) => ({ topic, partition }))
    .sort((a, b) => a.partition - b.partition)
  const offsets = await listOffsets(cluster, partitions, timestamp)
  const result = partitions.map(({ partition }) => ({
    topic,
    partition,
    offset: offsets.get(partitionKey(topic, partition))!,
  }))
  const response = await coordinator.requestWithRetry(
    OffsetCommit,
    {
      groupId,
      generationId: -1,
      memberId: '',
      topics: [{ name: topic, partitions: result.map(({ partition, offset }) => ({ partition, offset })) }],
    },
    'commit',
  )
  for (const entry of response.topics)
    for (const partition of entry.partitions)
      if (partition.errorCode !== 0) throw errorFromWire(partition.errorCode, partition.errorMessage)
  return result
}

/**
 * Commits the given offsets of `topic` for an idle group, as they are (no clamping: the caller
 * plans them); NON_EMPTY_GROUP while the group has members. The offsets CLI reset plans use it.
 */
export async function setOffsets(
  cluster: Cluster,
  groupId: string,
  topic: string,
  offsets: readonly { readonly partition: number; readonly offset: number }[],
): Promise<GroupPartitionOffset[]> {
  for (const { partition, offset } of offsets)
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(partition) || partition < 0)
      throw new WeirError(
        'INVALID_REQUEST',
        `offsets must be partitions and offsets >= 0, got partition ${partition} offset ${offset}`,
      )
  const coordinator = new CoordinatorClient(cluster, groupId)
  const described = await describeOne(coordinator, groupId)
  if (described.members.length > 0)
    throw new WeirError(
      'NON_EMPTY_GROUP',
      `group ${groupId} has ${described.members.length} live member(s) (state ${described.state}); stop its consumers before resetting its offsets`,
    )
  const response = await coordinator.requestWithRetry(
    OffsetCommit,
    { groupId, generationId: -1, memberId: '', topics: [{ name: topic, partitions: [...offsets] }] },
    'commit',
  )
  for (const entry of response.topics)
    for (const partition of entry.partitions)
      if (partition.errorCode !== 0) throw errorFromWire(partition.errorCode, partition.errorMessage)
  return offsets.map(({ partition, offset }) => ({ topic, partition, offset }))
}

export interface GroupPartitionOffset {
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

/** Deletes an empty group and its offsets: NON_EMPTY_GROUP with members, GROUP_ID_NOT_FOUND when unknown. */
export async function deleteGroup(cluster: Cluster, groupId: string): Promise<void> {
  const coordinator = new CoordinatorClient(cluster, groupId)
  const response = await coordinator.requestWithRetry(DeleteGroups, { groups: [groupId] }, 'commit')
  const result = response.groups.find((group) => group.groupId === groupId)
  if (result !== undefined && result.errorCode !== 0)
    throw errorFromWire(result.errorCode, result.errorMessage)
}

async function describeOne(coordinator: CoordinatorClient, groupId: string): Promise<DescribedGroup> {
  const response = await coordinator.requestWithRetry(DescribeGroups, { groups: [groupId] }, 'commit')
  const described = response.groups.find((group) => group.groupId === groupId)
  if (described === undefined)
    throw new WeirError('UNKNOWN_SERVER_ERROR', `DescribeGroups answered without group ${groupId}`)
  if (described.errorCode !== 0) throw errorFromWire(described.errorCode, described.errorMessage)
  return described
}

/** ListOffsets with `timestamp` for each partition, to each partition's leader. */
async function listOffsets(
  cluster: Cluster,
  partitions: readonly GroupPartition[],
  timestamp: number,
): Promise<Map<string, number>> {
  const byLeader = new Map<number, Map<string, { partition: number; timestamp: number }[]>>()
  for (const { topic, partition } of partitions) {
    const leaderIn = (metadata: { partitions: readonly { partition: number; leader: number }[] }) =>
      metadata.partitions.find((entry) => entry.partition === partition)?.leader ?? -1
    let leader = leaderIn(await cluster.topic(topic))
    // A cached answer from before an election names no leader: ask again rather than fail on it.
    if (leader < 0) leader = leaderIn(await cluster.topic(topic, { refresh: true }))
    let topics = byLeader.get(leader)
    if (topics === undefined) byLeader.set(leader, (topics = new Map()))
    const list = topics.get(topic)
    if (list === undefined) topics.set(topic, [{ partition, timestamp }])
    else list.push({ partition, timestamp })
  }
  const offsets = new Map<string, number>()
  for (const [leader, topics] of byLeader) {
    const connection = await cluster.connectionFor(leader)
    const response = await connection.request(ListOffsets, {
      topics: [...topics].map(([name, entries]) => ({ name, partitions: entries })),
    })
    for (const topic of response.topics)
      for (const partition of topic.partitions) {
        if (partition.errorCode !== 0) {
          // The leader moved: the caller's retry must not ask the same broker from the same cache.
          cluster.invalidate(topic.name)
          throw errorFromWire(partition.errorCode, partition.errorMessage)
        }
        offsets.set(partitionKey(topic.name, partition.partition), partition.offset)
      }
  }
  return offsets
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
