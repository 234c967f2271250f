// The groups of one __consumer_offsets partition, pure. The broker hands in each decoded group
// request with a RequestId it chose and the time, calls tick(nowMs) at nextDeadlineMs(), and after
// every call takes the output: append `records` to the partition, then send `responses`.
//
// Offsets are applied to memory when the OffsetCommit is handed in, before the records are
// stored. If an append fails, answer that output's responses with the storage error and rebuild
// the coordinator from the log (GroupCoordinator.load): memory is then ahead of the log.
import {
  type ConsumerGroupHeartbeatRequest,
  consumerProtocolType,
  type DeleteGroupsRequest,
  type DescribedGroup,
  type DescribeGroupsRequest,
  type ErrorName,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
  type HeartbeatRequest,
  type JoinGroupRequest,
  type LeaveGroupMemberResult,
  type LeaveGroupRequest,
  type ListGroupsRequest,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
  offsetMetadataLengthMax,
  type SyncGroupRequest,
} from '@weir/protocol'
import { ConsumerGroupMembers } from './consumer-group.js'
import { type GroupLimits, type GroupLimitsInput, resolveGroupLimits } from './group-limits.js'
import { errorOf, GroupOutbox, type GroupOutput, type RequestId } from './group-output.js'
import {
  type CommittedOffset,
  type ConsumerGroupValue,
  decodeGroupLogRecord,
  encodeGroupLogEntry,
  type GroupLogRecord,
  type GroupMetadataValue,
} from './group-records.js'
import { type ClientAddress, Group } from './group-state.js'

export interface GroupCoordinatorOptions {
  /** A new member's id; must never repeat (the broker uses `${clientId}-${randomId(environment.random)}`). */
  readonly newMemberId: (clientId: string) => string
  readonly limits?: GroupLimitsInput
  /** A topic's partition count (undefined: no such topic), for the server-side assignor of
   *  ConsumerGroupHeartbeat groups. Without it those groups assign nothing. */
  readonly partitionsOf?: (topic: string) => number | undefined
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>()
  /** Members of groups on the broker-driven protocol; their offsets live in `groups` as any group's. */
  private readonly consumerGroups = new Map<string, ConsumerGroupMembers>()
  private readonly outbox = new GroupOutbox()
  readonly limits: GroupLimits
  private readonly newMemberId: (clientId: string) => string
  private readonly partitionsOf: (topic: string) => number | undefined

  constructor(options: GroupCoordinatorOptions) {
    this.limits = resolveGroupLimits(options.limits)
    this.newMemberId = options.newMemberId
    this.partitionsOf = options.partitionsOf ?? (() => undefined)
  }

  /** ConsumerGroupHeartbeat: the broker-driven protocol (consumer-group.ts). A group is on one
   *  protocol at a time: while it has classic members this is INCONSISTENT_GROUP_PROTOCOL. */
  consumerGroupHeartbeat(
    requestId: RequestId,
    request: ConsumerGroupHeartbeatRequest,
    clientHost: string,
    nowMs: number,
  ): void {
    const refuse = (code: ErrorName, detail: string) =>
      this.outbox.respond({
        api: 'ConsumerGroupHeartbeat',
        requestId,
        response: { ...errorOf(code, detail), memberId: request.memberId, memberEpoch: -1 },
      })
    const group = this.groupOrCreate(request.groupId)
    if (group === undefined) {
      refuse('LIMIT_EXCEEDED', `this coordinator holds ${this.groups.size} groups, the maximum`)
      return
    }
    if (group.members.size > 0) {
      refuse(
        'INCONSISTENT_GROUP_PROTOCOL',
        `group ${request.groupId} has members on the classic protocol (JoinGroup); use groupProtocol 'classic' or another group`,
      )
      return
    }
    this.consumerMembers(request.groupId).heartbeat(requestId, request, clientHost, nowMs)
  }

  private consumerMembers(groupId: string): ConsumerGroupMembers {
    let members = this.consumerGroups.get(groupId)
    if (members === undefined) {
      members = new ConsumerGroupMembers(groupId, {
        limits: this.limits,
        outbox: this.outbox,
        newMemberId: this.newMemberId,
        partitionsOf: this.partitionsOf,
      })
      this.consumerGroups.set(groupId, members)
    }
    return members
  }

  /** The broker-driven members of a group, for tests and DescribeGroups. */
  consumerGroup(groupId: string): ConsumerGroupMembers | undefined {
    return this.consumerGroups.get(groupId)
  }

  private hasConsumerMembers(groupId: string): boolean {
    return (this.consumerGroups.get(groupId)?.members.size ?? 0) > 0
  }

  /** Rebuilds every group from the partition's records, oldest first (latest per key wins). */
  static load(
    records: Iterable<GroupLogRecord>,
    nowMs: number,
    options: GroupCoordinatorOptions,
  ): GroupCoordinator {
    const coordinator = new GroupCoordinator(options)
    const metadata = new Map<string, GroupMetadataValue | null>()
    const consumers = new Map<string, ConsumerGroupValue | null>()
    for (const record of records) {
      const entry = decodeGroupLogRecord(record)
      if (entry === undefined) continue
      if (entry.type === 'group') metadata.set(entry.groupId, entry.value)
      else if (entry.type === 'consumer-group') consumers.set(entry.groupId, entry.value)
      else
        coordinator.setOffset(coordinator.groupFor(entry.groupId), entry.topic, entry.partition, entry.value)
    }
    for (const [groupId, value] of metadata)
      if (value !== null) coordinator.groupFor(groupId).restore(value, nowMs)
    for (const [groupId, value] of consumers) {
      if (value === null || value.members.length === 0) continue
      coordinator.groupFor(groupId)
      coordinator.consumerMembers(groupId).restore(value, nowMs)
    }
    for (const [groupId, group] of coordinator.groups)
      if (
        group.members.size === 0 &&
        group.offsetCount === 0 &&
        !metadata.get(groupId) &&
        !coordinator.hasConsumerMembers(groupId)
      )
        coordinator.groups.delete(groupId)
    coordinator.outbox.take()
    return coordinator
  }

  /** Everything produced since the last call: records to append first, then responses to send. */
  takeOutput(): GroupOutput {
    return this.outbox.take()
  }

  joinGroup(requestId: RequestId, request: JoinGroupRequest, client: ClientAddress, nowMs: number): void {
    const group = this.groupOrCreate(request.groupId)
    if (group === undefined) {
      const detail = `this coordinator holds ${this.groups.size} groups, the maximum`
      this.outbox.respond({
        api: 'JoinGroup',
        requestId,
        response: {
          ...errorOf('LIMIT_EXCEEDED', detail),
          generationId: -1,
          leader: '',
          memberId: '',
          members: [],
        },
      })
      return
    }
    if (this.hasConsumerMembers(request.groupId)) {
      const detail = `group ${request.groupId} has members on the consumer protocol (ConsumerGroupHeartbeat); use groupProtocol 'consumer' or another group`
      this.outbox.respond({
        api: 'JoinGroup',
        requestId,
        response: {
          ...errorOf('INCONSISTENT_GROUP_PROTOCOL', detail),
          generationId: -1,
          leader: '',
          memberId: request.memberId,
          members: [],
        },
      })
      return
    }
    group.join(requestId, request, client, nowMs)
  }

  syncGroup(requestId: RequestId, request: SyncGroupRequest, nowMs: number): void {
    const group = this.groups.get(request.groupId)
    if (group === undefined) {
      const response = { ...unknownGroup(request.groupId), assignment: Buffer.alloc(0) }
      this.outbox.respond({ api: 'SyncGroup', requestId, response })
      return
    }
    group.sync(requestId, request, nowMs)
  }

  heartbeat(requestId: RequestId, request: HeartbeatRequest, nowMs: number): void {
    const group = this.groups.get(request.groupId)
    if (group !== undefined) {
      group.heartbeat(requestId, request, nowMs)
      return
    }
    this.outbox.respond({ api: 'Heartbeat', requestId, response: unknownGroup(request.groupId) })
  }

  leaveGroup(requestId: RequestId, request: LeaveGroupRequest, nowMs: number): void {
    const group = this.groups.get(request.groupId)
    const members: LeaveGroupMemberResult[] = []
    let removed = 0
    for (const leaving of request.members) {
      const instanceId = leaving.groupInstanceId
      const memberId =
        leaving.memberId === '' && instanceId !== undefined
          ? (group?.staticMembers.get(instanceId) ?? '')
          : leaving.memberId
      const checked = group?.checkMember(memberId, instanceId)
      const result = {
        memberId: leaving.memberId,
        ...(instanceId === undefined ? {} : { groupInstanceId: instanceId }),
      }
      if (group === undefined || checked === undefined || 'error' in checked) {
        const refusal = checked !== undefined && 'error' in checked ? checked : undefined
        members.push({
          ...result,
          ...errorOf(refusal?.error ?? 'UNKNOWN_MEMBER_ID', refusal?.detail ?? 'no such group'),
        })
        continue
      }
      group.removeMember(checked.member, `left${leaving.reason === undefined ? '' : `: ${leaving.reason}`}`)
      removed += 1
      members.push({ ...result, errorCode: 0 })
    }
    if (group !== undefined && removed > 0) group.membersChanged(nowMs, `${removed} member(s) left`)
    this.outbox.respond({ api: 'LeaveGroup', requestId, response: { errorCode: 0, members } })
  }

  commitOffsets(requestId: RequestId, request: OffsetCommitRequest, nowMs: number): void {
    const response = this.commit(request, nowMs)
    this.outbox.respond({ api: 'OffsetCommit', requestId, response })
  }

  private commit(request: OffsetCommitRequest, nowMs: number): OffsetCommitResponse {
    const existing = this.groups.get(request.groupId)
    const simple = request.generationId < 0 && request.memberId === ''
    const group = existing ?? (simple ? this.groupOrCreate(request.groupId) : undefined)
    const refusal: [ErrorName, string] | undefined =
      group === undefined
        ? existing === undefined && simple
          ? ['LIMIT_EXCEEDED', `this coordinator holds ${this.groups.size} groups, the maximum`]
          : ['UNKNOWN_MEMBER_ID', `group ${request.groupId} has no members`]
        : this.commitRefusalFor(group, request, simple, nowMs)
    const topics = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => {
        const error = refusal ?? this.partitionRefusal(group!, topic.name, partition)
        if (error !== undefined) return { partition: partition.partition, ...errorOf(...error) }
        const value = {
          offset: partition.offset,
          metadata: partition.metadata ?? '',
          commitTimestampMs: nowMs,
        }
        this.setOffset(group!, topic.name, partition.partition, value)
        this.outbox.append(
          encodeGroupLogEntry({
            type: 'offset',
            groupId: request.groupId,
            topic: topic.name,
            partition: partition.partition,
            value,
          }),
        )
        return { partition: partition.partition, errorCode: 0 }
      }),
    }))
    return { errorCode: 0, topics }
  }

  /** A group on the broker-driven protocol fences commits by member epoch (generationId carries
   *  it); a classic one by generation. */
  private commitRefusalFor(
    group: Group,
    request: OffsetCommitRequest,
    simple: boolean,
    nowMs: number,
  ): [ErrorName, string] | undefined {
    const members = this.consumerGroups.get(request.groupId)
    if (members === undefined || members.members.size === 0)
      return commitRefusal(group, request, simple, nowMs)
    if (simple) return ['UNKNOWN_MEMBER_ID', `group ${request.groupId} has members; commit as one of them`]
    return members.commitRefusal(request.memberId, request.generationId, nowMs)
  }

  private partitionRefusal(
    group: Group,
    topic: string,
    partition: { partition: number; metadata?: string },
  ): [ErrorName, string] | undefined {
    if ((partition.metadata?.length ?? 0) > offsetMetadataLengthMax)
      return ['INVALID_REQUEST', `offset metadata is longer than ${offsetMetadataLengthMax} characters`]
    const known = group.offsets.get(topic)?.has(partition.partition) ?? false
    if (!known && group.offsetCount >= this.limits.maxOffsetsPerGroup)
      return [
        'LIMIT_EXCEEDED',
        `group ${group.groupId} holds ${group.offsetCount} committed partitions, the maximum`,
      ]
    return undefined
  }

  fetchOffsets(requestId: RequestId, request: OffsetFetchRequest): void {
    const offsets =
      this.groups.get(request.groupId)?.offsets ?? new Map<string, Map<number, CommittedOffset>>()
    const asked =
      request.topics ??
      [...offsets]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, partitions]) => ({
          name,
          partitions: [...partitions.keys()].sort((a, b) => a - b),
        }))
    const response: OffsetFetchResponse = {
      errorCode: 0,
      topics: asked.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => {
          const committed = offsets.get(topic.name)?.get(partition)
          return {
            errorCode: 0,
            partition,
            offset: committed?.offset ?? -1,
            metadata: committed?.metadata ?? '',
          }
        }),
      })),
    }
    this.outbox.respond({ api: 'OffsetFetch', requestId, response })
  }

  listGroups(requestId: RequestId, request: ListGroupsRequest): void {
    const states = new Set(request.statesFilter)
    const groups = [...this.groups.values()]
      .filter((group) => states.size === 0 || states.has(group.state))
      .map((group) => ({
        groupId: group.groupId,
        protocolType: group.protocolType ?? '',
        state: group.state,
      }))
      .sort((a, b) => (a.groupId < b.groupId ? -1 : 1))
    this.outbox.respond({ api: 'ListGroups', requestId, response: { errorCode: 0, groups } })
  }

  describeGroups(requestId: RequestId, request: DescribeGroupsRequest): void {
    const groups = request.groups.map((groupId) =>
      describe(groupId, this.groups.get(groupId), this.consumerGroups.get(groupId)),
    )
    this.outbox.respond({ api: 'DescribeGroups', requestId, response: { errorCode: 0, groups } })
  }

  deleteGroups(requestId: RequestId, request: DeleteGroupsRequest): void {
    const groups = request.groups.map((groupId) => {
      const group = this.groups.get(groupId)
      if (group === undefined)
        return { groupId, ...errorOf('GROUP_ID_NOT_FOUND', `this coordinator has no group ${groupId}`) }
      const members = group.members.size + (this.consumerGroups.get(groupId)?.members.size ?? 0)
      if (members > 0)
        return {
          groupId,
          ...errorOf('NON_EMPTY_GROUP', `group ${groupId} has ${members} members; they must leave first`),
        }
      for (const [topic, partitions] of group.offsets)
        for (const partition of partitions.keys())
          this.outbox.append(encodeGroupLogEntry({ type: 'offset', groupId, topic, partition, value: null }))
      this.outbox.append(encodeGroupLogEntry({ type: 'group', groupId, value: null }))
      if (this.consumerGroups.has(groupId))
        this.outbox.append(encodeGroupLogEntry({ type: 'consumer-group', groupId, value: null }))
      group.markDead()
      this.groups.delete(groupId)
      this.consumerGroups.delete(groupId)
      return { groupId, errorCode: 0 }
    })
    this.outbox.respond({ api: 'DeleteGroups', requestId, response: { errorCode: 0, groups } })
  }

  /** Input event: `topic` now has more partitions. Returns the groups that started a rebalance. */
  partitionsGrew(topic: string, nowMs: number): string[] {
    const grown = [...this.groups.values()]
      .filter((group) => group.partitionsGrew(topic, nowMs))
      .map((group) => group.groupId)
    for (const members of this.consumerGroups.values()) {
      if (![...members.members.values()].some((member) => member.topics.has(topic))) continue
      members.partitionsChanged()
      grown.push(members.groupId)
    }
    return grown
  }

  /** Expires sessions and rebalance deadlines of every group. */
  tick(nowMs: number): void {
    for (const group of this.groups.values()) {
      const deadline = group.nextDeadlineMs()
      if (deadline !== undefined && deadline <= nowMs) group.tick(nowMs)
    }
    for (const members of this.consumerGroups.values()) {
      const deadline = members.nextDeadlineMs()
      if (deadline !== undefined && deadline <= nowMs) members.tick(nowMs)
    }
  }

  /** When tick next has work; the broker arms one timer for it. undefined: nothing scheduled. */
  nextDeadlineMs(): number | undefined {
    let earliest: number | undefined
    for (const group of [...this.groups.values(), ...this.consumerGroups.values()]) {
      const deadline = group.nextDeadlineMs()
      if (deadline !== undefined && (earliest === undefined || deadline < earliest)) earliest = deadline
    }
    return earliest
  }

  /** Read-only view for tests and admin tooling. */
  group(groupId: string): Group | undefined {
    return this.groups.get(groupId)
  }

  /** Every committed offset of the groups here (the metrics endpoint's consumer lag). */
  *committedOffsets(): Generator<{ group: string; topic: string; partition: number; offset: number }> {
    for (const [group, state] of this.groups) {
      for (const [topic, partitions] of state.offsets) {
        for (const [partition, committed] of partitions)
          yield { group, topic, partition, offset: committed.offset }
      }
    }
  }

  get groupCount(): number {
    return this.groups.size
  }

  private groupFor(groupId: string): Group {
    let group = this.groups.get(groupId)
    if (group === undefined) {
      group = new Group(groupId, { limits: this.limits, outbox: this.outbox, newMemberId: this.newMemberId })
      this.groups.set(groupId, group)
    }
    return group
  }

  /** The group, created empty when new; undefined when that would pass maxGroups. */
  private groupOrCreate(groupId: string): Group | undefined {
    if (!this.groups.has(groupId) && this.groups.size >= this.limits.maxGroups) return undefined
    return this.groupFor(groupId)
  }

  private setOffset(group: Group, topic: string, partition: number, value: CommittedOffset | null): void {
    let partitions = group.offsets.get(topic)
    const had = partitions?.has(partition) ?? false
    if (value === null) {
      if (!had) return
      partitions!.delete(partition)
      if (partitions!.size === 0) group.offsets.delete(topic)
      group.offsetCount -= 1
      return
    }
    if (partitions === undefined) group.offsets.set(topic, (partitions = new Map()))
    partitions.set(partition, value)
    if (!had) group.offsetCount += 1
  }
}

/** Why a member's commit is refused, or undefined; refreshes the member's session when accepted. */
function commitRefusal(
  group: Group,
  request: OffsetCommitRequest,
  simple: boolean,
  nowMs: number,
): [ErrorName, string] | undefined {
  if (simple) {
    return group.members.size === 0
      ? undefined
      : ['UNKNOWN_MEMBER_ID', `group ${group.groupId} has members; commit as one of them`]
  }
  const checked = group.checkMember(request.memberId, request.groupInstanceId)
  if ('error' in checked) return [checked.error, checked.detail]
  if (request.generationId !== group.generationId)
    return [
      'ILLEGAL_GENERATION',
      `generation ${request.generationId} is not the current ${group.generationId}`,
    ]
  if (group.state === 'completing-rebalance')
    return ['REBALANCE_IN_PROGRESS', 'the group is completing a rebalance; commit after SyncGroup']
  checked.member.sessionDeadlineMs = nowMs + checked.member.sessionTimeoutMs
  return undefined
}

function unknownGroup(groupId: string): { errorCode: number; errorMessage: string } {
  return errorOf('UNKNOWN_MEMBER_ID', `this coordinator has no group ${groupId}`)
}

function describe(
  groupId: string,
  group: Group | undefined,
  consumer: ConsumerGroupMembers | undefined,
): DescribedGroup {
  if (group !== undefined && consumer !== undefined && consumer.members.size > 0)
    return describeConsumerGroup(groupId, consumer)
  if (group === undefined)
    return {
      errorCode: 0,
      groupId,
      state: 'dead',
      protocolType: '',
      protocolName: '',
      generationId: -1,
      members: [],
    }
  const stored = group.metadataValue()
  return {
    errorCode: 0,
    groupId,
    state: group.state,
    protocolType: stored.protocolType,
    protocolName: stored.protocolName,
    generationId: group.generationId,
    members: stored.members.map(
      ({ memberId, groupInstanceId, clientId, clientHost, metadata, assignment }) => ({
        memberId,
        ...(groupInstanceId === undefined ? {} : { groupInstanceId }),
        clientId,
        clientHost,
        metadata,
        assignment: group.state === 'stable' ? assignment : Buffer.alloc(0),
      }),
    ),
  }
}

/** A broker-driven group in DescribeGroups' classic shape: generationId is the group epoch; each
 *  member's metadata is its subscription whose generationId is the member epoch, and its
 *  assignment what it was last told to own. */
function describeConsumerGroup(groupId: string, consumer: ConsumerGroupMembers): DescribedGroup {
  return {
    errorCode: 0,
    groupId,
    state: 'stable',
    protocolType: consumerProtocolType,
    protocolName: 'uniform',
    generationId: consumer.groupEpoch,
    members: [...consumer.members.values()].map((member) => ({
      memberId: member.memberId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      metadata: encodeConsumerSubscription({
        topics: [...member.topics].sort(),
        ownedPartitions: new Map(),
        generationId: member.epoch,
      }),
      assignment: encodeConsumerAssignment({ partitions: byTopic(member.assigned) }),
    })),
  }
}

function byTopic(keys: ReadonlySet<string>): Map<string, number[]> {
  const map = new Map<string, number[]>()
  for (const key of keys) {
    const cut = key.lastIndexOf('\u0000')
    const topic = key.slice(0, cut)
    const list = map.get(topic) ?? []
    list.push(Number(key.slice(cut + 1)))
    map.set(topic, list)
  }
  for (const list of map.values()) list.sort((a, b) => a - b)
  return map
}
