// One consumer group's membership state machine, pure: no timers, clock, sockets or randomness.
// Time comes in as `nowMs` on every input and through `tick(nowMs)`; member ids come from the
// injected `newMemberId`; answers and records go to a GroupOutbox as data.
//
//   empty ──join──▶ preparing-rebalance ──all joined / rebalance timeout──▶ completing-rebalance
//     ▲                 ▲        │ (no members left)                           │ leader's SyncGroup
//     └─────────────────┼────────┘                                             ▼
//                       └──join (new or changed), leave, session timeout, ── stable
//                          partitions grew, sync timeout
//   dead: deleted (DeleteGroups); a dead group answers UNKNOWN_MEMBER_ID and is dropped by its owner.
//
// Choices (documented in docs/protocol.md as well):
// - No MEMBER_ID_REQUIRED round: a JoinGroup with memberId '' gets its id in the (deferred) join
//   answer. A client that gives up on that answer leaves a member that never syncs or
//   heartbeats; it is removed by the sync deadline or its session timeout.
// - Members that did not rejoin by the rebalance deadline are removed, static members included.
// - Members that did not send SyncGroup within the rebalance timeout after the join completed are
//   removed and a new rebalance starts (a leader that never syncs cannot stall the group).
// - A member waiting for its JoinGroup or SyncGroup answer is not expired by its session timeout
//   (the coordinator holds its request), as in Kafka.
import type {
  ErrorName,
  GroupState,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupProtocol,
  JoinGroupRequest,
  JoinGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '@weir/protocol'
import type { GroupLimits } from './group-limits.js'
import { errorOf, type GroupOutbox, type RequestId } from './group-output.js'
import { type CommittedOffset, encodeGroupLogEntry, type GroupMetadataValue } from './group-records.js'
import { readSubscription } from './member-subscription.js'

const emptyBytes = Buffer.alloc(0)

/** Where a JoinGroup came from: the broker fills these from the connection. */
export interface ClientAddress {
  readonly clientHost: string
}

export interface GroupMember {
  memberId: string
  readonly groupInstanceId: string | undefined
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocols: readonly JoinGroupProtocol[]
  /** Topics named by the member's subscriptions ('consumer' and 'kafka:consumer' only). */
  subscribedTopics: ReadonlySet<string>
  assignment: Buffer
  /** A JoinGroup held until the rebalance completes. */
  joinRequestId: RequestId | undefined
  /** A SyncGroup held until the leader's SyncGroup arrives. */
  syncRequestId: RequestId | undefined
  /** A Heartbeat with maxWaitMs, held until a rebalance starts, the member goes, or heartbeatAnswerMs. */
  heartbeatRequestId: RequestId | undefined
  heartbeatAnswerMs: number
  /** Removed at this time unless it sends a heartbeat, join, sync or commit before. */
  sessionDeadlineMs: number
}

export interface GroupContext {
  readonly limits: GroupLimits
  readonly outbox: GroupOutbox
  readonly newMemberId: (clientId: string) => string
}

type MemberCheck = { member: GroupMember } | { error: ErrorName; detail: string }

export class Group {
  state: GroupState = 'empty'
  generationId = 0
  protocolType: string | undefined
  protocolName: string | undefined
  leaderId: string | undefined
  /** In join order: the first is leader when the old leader is gone. */
  readonly members = new Map<string, GroupMember>()
  /** groupInstanceId → current memberId. */
  readonly staticMembers = new Map<string, string>()
  /** Committed offsets: topic → partition → offset. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>()
  offsetCount = 0
  /** completing-rebalance: members that have not sent SyncGroup for this generation. */
  private readonly pendingSync = new Set<string>()
  /** preparing: when the rebalance stops waiting; completing: when unsynced members are removed. */
  private phaseDeadlineMs: number | undefined
  /** preparing: the join does not complete before this (initial rebalance delay only). */
  private joinNotBeforeMs: number | undefined

  constructor(
    readonly groupId: string,
    private readonly context: GroupContext,
  ) {}

  // ── JoinGroup ──────────────────────────────────────────────────────────────────────────────

  join(requestId: RequestId, request: JoinGroupRequest, client: ClientAddress, nowMs: number): void {
    const refused = this.joinRefusal(request)
    if (refused !== undefined) {
      this.answerJoin(requestId, joinError(request.memberId, ...refused))
      return
    }
    let topics: Set<string>
    try {
      topics = subscribedTopics(request)
    } catch (error) {
      this.answerJoin(requestId, joinError(request.memberId, 'INVALID_REQUEST', (error as Error).message))
      return
    }
    if (request.memberId === '') {
      this.joinNew(requestId, request, client, topics, nowMs)
      return
    }
    const checked = this.checkMember(request.memberId, request.groupInstanceId)
    if ('error' in checked) {
      this.answerJoin(requestId, joinError(request.memberId, checked.error, checked.detail))
      return
    }
    this.joinKnown(requestId, checked.member, request, topics, nowMs)
  }

  private joinRefusal(request: JoinGroupRequest): [ErrorName, string] | undefined {
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = this.context.limits
    if (this.state === 'dead') return ['UNKNOWN_MEMBER_ID', `group ${this.groupId} was deleted`]
    if (request.sessionTimeoutMs < minSessionTimeoutMs || request.sessionTimeoutMs > maxSessionTimeoutMs)
      return [
        'INVALID_SESSION_TIMEOUT',
        `sessionTimeoutMs ${request.sessionTimeoutMs} is outside ${minSessionTimeoutMs} to ${maxSessionTimeoutMs}`,
      ]
    if (request.protocolType === '' || request.protocols.length === 0)
      return ['INVALID_REQUEST', 'a JoinGroup needs a protocolType and at least one protocol']
    if (!this.supportsProtocols(request)) {
      return [
        'INCONSISTENT_GROUP_PROTOCOL',
        `group ${this.groupId} uses type "${this.protocolType}" with ` +
          `${[...this.commonProtocols(request.memberId)].join(', ') || 'no common protocol'}`,
      ]
    }
    return undefined
  }

  private supportsProtocols(request: JoinGroupRequest): boolean {
    const others = [...this.members.values()].filter((member) => member.memberId !== request.memberId)
    if (others.length === 0) return true
    if (request.protocolType !== this.protocolType) return false
    const common = this.commonProtocols(request.memberId)
    return request.protocols.some((protocol) => common.has(protocol.name))
  }

  /** Protocol names every member (except `exceptMemberId`) supports. */
  private commonProtocols(exceptMemberId: string): Set<string> {
    let common: Set<string> | undefined
    for (const member of this.members.values()) {
      if (member.memberId === exceptMemberId) continue
      const names = new Set(member.protocols.map((protocol) => protocol.name))
      common = common === undefined ? names : new Set([...common].filter((name) => names.has(name)))
    }
    return common ?? new Set()
  }

  private joinNew(
    requestId: RequestId,
    request: JoinGroupRequest,
    client: ClientAddress,
    topics: Set<string>,
    nowMs: number,
  ): void {
    const instanceId = request.groupInstanceId
    const existing = instanceId === undefined ? undefined : this.staticMembers.get(instanceId)
    if (existing !== undefined) {
      this.replaceStaticMember(requestId, existing, request, client, topics, nowMs)
      return
    }
    if (this.members.size >= this.context.limits.maxGroupMembers) {
      const detail = `group ${this.groupId} has ${this.members.size} members, the maximum`
      this.answerJoin(requestId, joinError('', 'GROUP_MAX_SIZE_REACHED', detail))
      return
    }
    const memberId = this.context.newMemberId(request.clientId ?? '')
    this.members.set(memberId, {
      memberId,
      groupInstanceId: instanceId,
      clientId: request.clientId ?? '',
      clientHost: client.clientHost,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocols: request.protocols,
      subscribedTopics: topics,
      assignment: emptyBytes,
      joinRequestId: requestId,
      syncRequestId: undefined,
      heartbeatRequestId: undefined,
      heartbeatAnswerMs: 0,
      sessionDeadlineMs: nowMs + request.sessionTimeoutMs,
    })
    if (instanceId !== undefined) this.staticMembers.set(instanceId, memberId)
    if (this.members.size === 1) this.protocolType = request.protocolType
    if (this.state === 'preparing-rebalance') {
      this.extendInitialDelay(nowMs)
      this.tryCompleteJoin(nowMs)
    } else this.prepareRebalance(nowMs, `member ${memberId} joined`)
  }

  private joinKnown(
    requestId: RequestId,
    member: GroupMember,
    request: JoinGroupRequest,
    topics: Set<string>,
    nowMs: number,
  ): void {
    const changed = !sameProtocols(member.protocols, request.protocols)
    updateMember(member, request, topics, nowMs)
    if (this.state === 'preparing-rebalance') {
      this.holdJoin(member, requestId)
      this.tryCompleteJoin(nowMs)
      return
    }
    // completing: an unchanged member lost its join answer; stable: nothing to redo unless the
    // leader asks (it rejoins when it sees new partitions) or the subscription changed.
    const rebalance = changed || (this.state === 'stable' && member.memberId === this.leaderId)
    if (!rebalance) {
      this.answerJoin(requestId, this.joinAnswer(member))
      return
    }
    this.holdJoin(member, requestId)
    this.prepareRebalance(
      nowMs,
      `member ${member.memberId} rejoined ${changed ? 'with new metadata' : 'as leader'}`,
    )
  }

  /** A static member restarted: it takes over its old member id's place and assignment. */
  private replaceStaticMember(
    requestId: RequestId,
    oldMemberId: string,
    request: JoinGroupRequest,
    client: ClientAddress,
    topics: Set<string>,
    nowMs: number,
  ): void {
    const member = this.members.get(oldMemberId)!
    this.answerPending(
      member,
      'FENCED_INSTANCE_ID',
      `instance ${member.groupInstanceId} rejoined as a new member`,
    )
    const memberId = this.context.newMemberId(request.clientId ?? '')
    this.renameMember(member, memberId)
    // A restarted instance reports no owned partitions and a fresh generation; only a change in
    // what it subscribes to (assignors, topics, user data) calls for a rebalance.
    const changed = !sameSubscriptions(request.protocolType, member.protocols, request.protocols)
    member.clientHost = client.clientHost
    updateMember(member, request, topics, nowMs)
    if (this.state === 'preparing-rebalance') {
      this.holdJoin(member, requestId)
      this.tryCompleteJoin(nowMs)
      return
    }
    if (changed) {
      this.holdJoin(member, requestId)
      this.prepareRebalance(nowMs, `static member ${member.groupInstanceId} rejoined with new metadata`)
      return
    }
    const answer = this.joinAnswer(member)
    if (this.state === 'stable') {
      this.storeGroup()
      this.answerJoin(
        requestId,
        memberId === this.leaderId ? { ...answer, members: [], skipAssignment: true } : answer,
      )
      return
    }
    this.answerJoin(requestId, answer)
  }

  private renameMember(member: GroupMember, memberId: string): void {
    const oldMemberId = member.memberId
    this.members.delete(oldMemberId)
    member.memberId = memberId
    this.members.set(memberId, member)
    if (member.groupInstanceId !== undefined) this.staticMembers.set(member.groupInstanceId, memberId)
    if (this.leaderId === oldMemberId) this.leaderId = memberId
    if (this.pendingSync.delete(oldMemberId)) this.pendingSync.add(memberId)
  }

  private holdJoin(member: GroupMember, requestId: RequestId): void {
    if (member.joinRequestId !== undefined && member.joinRequestId !== requestId)
      this.answerJoin(
        member.joinRequestId,
        joinError(member.memberId, 'REBALANCE_IN_PROGRESS', 'a newer JoinGroup replaced this one'),
      )
    member.joinRequestId = requestId
  }

  // ── Rebalance ──────────────────────────────────────────────────────────────────────────────

  /** Starts (or restarts) a rebalance: every member must send JoinGroup again. */
  prepareRebalance(nowMs: number, reason: string): void {
    if (this.state === 'dead') return
    if (this.state === 'completing-rebalance') {
      for (const member of this.members.values()) {
        if (member.syncRequestId === undefined) continue
        this.answerSync(member.syncRequestId, syncError('REBALANCE_IN_PROGRESS', reason))
        member.syncRequestId = undefined
      }
    }
    for (const member of this.members.values()) {
      if (member.heartbeatRequestId === undefined) continue
      this.answerHeartbeat(member.heartbeatRequestId, errorOf('REBALANCE_IN_PROGRESS', reason))
      member.heartbeatRequestId = undefined
    }
    const wasEmpty = this.state === 'empty'
    this.state = 'preparing-rebalance'
    this.pendingSync.clear()
    const rebalanceTimeoutMs = Math.max(
      0,
      ...[...this.members.values()].map((member) => member.rebalanceTimeoutMs),
    )
    this.phaseDeadlineMs = nowMs + rebalanceTimeoutMs
    const delayMs = this.context.limits.initialRebalanceDelayMs
    this.joinNotBeforeMs =
      wasEmpty && delayMs > 0 ? Math.min(nowMs + delayMs, this.phaseDeadlineMs) : undefined
    this.context.outbox.event({ groupId: this.groupId, type: 'rebalance-started', detail: reason })
    this.tryCompleteJoin(nowMs)
  }

  /**
   * A member joining while the initial delay runs restarts it (Kafka's initial delayed join), up to
   * the rebalance timeout: members that start together but reach the coordinator more than one
   * delay after the first (a loaded machine, a slow connect) still land in the first generation.
   */
  private extendInitialDelay(nowMs: number): void {
    if (this.joinNotBeforeMs === undefined) return
    const delayMs = this.context.limits.initialRebalanceDelayMs
    const restarted = Math.min(nowMs + delayMs, this.phaseDeadlineMs ?? nowMs + delayMs)
    this.joinNotBeforeMs = Math.max(this.joinNotBeforeMs, restarted)
  }

  private tryCompleteJoin(nowMs: number): void {
    if (this.state !== 'preparing-rebalance') return
    if (this.joinNotBeforeMs !== undefined && nowMs < this.joinNotBeforeMs) return
    for (const member of this.members.values()) if (member.joinRequestId === undefined) return
    this.completeJoin(nowMs)
  }

  /** Every remaining member has rejoined: start the next generation and answer their JoinGroups. */
  private completeJoin(nowMs: number): void {
    this.generationId += 1
    this.joinNotBeforeMs = undefined
    if (this.members.size === 0) {
      this.state = 'empty'
      this.protocolName = undefined
      this.leaderId = undefined
      this.phaseDeadlineMs = undefined
      this.storeGroup()
      this.context.outbox.event({
        groupId: this.groupId,
        type: 'group-empty',
        detail: `generation ${this.generationId}`,
      })
      return
    }
    this.protocolName = this.chooseProtocol()
    if (this.leaderId === undefined || !this.members.has(this.leaderId))
      this.leaderId = this.members.keys().next().value
    this.state = 'completing-rebalance'
    this.phaseDeadlineMs =
      nowMs + Math.max(...[...this.members.values()].map((member) => member.rebalanceTimeoutMs))
    for (const member of this.members.values()) {
      this.pendingSync.add(member.memberId)
      member.assignment = emptyBytes
      member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs
      const requestId = member.joinRequestId!
      member.joinRequestId = undefined
      this.answerJoin(requestId, this.joinAnswer(member))
    }
  }

  /** The protocol every member supports that most members list first; ties go to the leader's order. */
  private chooseProtocol(): string {
    const common = this.commonProtocols('')
    const votes = new Map<string, number>()
    for (const member of this.members.values()) {
      const vote = member.protocols.find((protocol) => common.has(protocol.name))!.name
      votes.set(vote, (votes.get(vote) ?? 0) + 1)
    }
    const first = this.members.get(this.leaderId ?? '') ?? this.members.values().next().value!
    let best = ''
    let bestVotes = -1
    for (const { name } of first.protocols) {
      const count = votes.get(name) ?? (common.has(name) ? 0 : -1)
      if (count > bestVotes) [best, bestVotes] = [name, count]
    }
    return best
  }

  private joinAnswer(member: GroupMember): JoinGroupResponse {
    const isLeader = member.memberId === this.leaderId
    return {
      errorCode: 0,
      generationId: this.generationId,
      protocolType: this.protocolType ?? '',
      protocolName: this.protocolName ?? '',
      leader: this.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader ? [...this.members.values()].map((each) => this.memberMetadata(each)) : [],
    }
  }

  private memberMetadata(member: GroupMember): {
    memberId: string
    groupInstanceId?: string
    metadata: Buffer
  } {
    const metadata =
      member.protocols.find((protocol) => protocol.name === this.protocolName)?.metadata ?? emptyBytes
    return member.groupInstanceId === undefined
      ? { memberId: member.memberId, metadata }
      : { memberId: member.memberId, groupInstanceId: member.groupInstanceId, metadata }
  }

  // ── SyncGroup and Heartbeat ────────────────────────────────────────────────────────────────

  sync(requestId: RequestId, request: SyncGroupRequest, nowMs: number): void {
    const refused = this.syncRefusal(request)
    if (refused !== undefined) {
      this.answerSync(requestId, syncError(...refused))
      return
    }
    const member = this.members.get(request.memberId)!
    member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs
    if (this.state === 'stable') {
      this.answerSync(requestId, this.syncAnswer(member))
      return
    }
    if (member.syncRequestId !== undefined && member.syncRequestId !== requestId)
      this.answerSync(
        member.syncRequestId,
        syncError('REBALANCE_IN_PROGRESS', 'a newer SyncGroup replaced this one'),
      )
    member.syncRequestId = requestId
    this.pendingSync.delete(member.memberId)
    if (member.memberId !== this.leaderId) return
    const assignments = new Map(request.assignments.map((entry) => [entry.memberId, entry.assignment]))
    for (const each of this.members.values()) each.assignment = assignments.get(each.memberId) ?? emptyBytes
    this.completeSync()
  }

  private syncRefusal(request: SyncGroupRequest): [ErrorName, string] | undefined {
    const checked = this.checkMember(request.memberId, request.groupInstanceId)
    if ('error' in checked) return [checked.error, checked.detail]
    if (request.generationId !== this.generationId)
      return [
        'ILLEGAL_GENERATION',
        `generation ${request.generationId} is not the current ${this.generationId}`,
      ]
    if (
      (request.protocolType !== undefined && request.protocolType !== this.protocolType) ||
      (request.protocolName !== undefined && request.protocolName !== this.protocolName)
    )
      return ['INCONSISTENT_GROUP_PROTOCOL', `the group uses ${this.protocolType}/${this.protocolName}`]
    if (this.state === 'preparing-rebalance')
      return ['REBALANCE_IN_PROGRESS', 'the group is rebalancing; join again']
    return undefined
  }

  /** The leader's assignment arrived: the generation is stable; store it, then answer every SyncGroup. */
  private completeSync(): void {
    this.state = 'stable'
    this.phaseDeadlineMs = undefined
    this.pendingSync.clear()
    this.storeGroup()
    for (const member of this.members.values()) {
      if (member.syncRequestId === undefined) continue
      this.answerSync(member.syncRequestId, this.syncAnswer(member))
      member.syncRequestId = undefined
    }
    this.context.outbox.event({
      groupId: this.groupId,
      type: 'generation-stable',
      detail: `generation ${this.generationId} with ${this.members.size} members, protocol ${this.protocolName}`,
    })
  }

  private syncAnswer(member: GroupMember): SyncGroupResponse {
    return {
      errorCode: 0,
      protocolType: this.protocolType ?? '',
      protocolName: this.protocolName ?? '',
      assignment: member.assignment,
    }
  }

  /**
   * Answered at once, except a heartbeat with `maxWaitMs` from a member in good standing: that one
   * is held (at most half the member's session, so it never outlives it) and answered the moment
   * a rebalance starts or the member is removed. This is how the other members learn of a leave
   * or a join within a round trip instead of at their next heartbeat.
   */
  heartbeat(requestId: RequestId, request: HeartbeatRequest, nowMs: number): void {
    const checked = this.checkMember(request.memberId, request.groupInstanceId)
    if ('error' in checked) {
      this.answerHeartbeat(requestId, errorOf(checked.error, checked.detail))
      return
    }
    const member = checked.member
    if (request.generationId !== this.generationId) {
      this.answerHeartbeat(
        requestId,
        errorOf(
          'ILLEGAL_GENERATION',
          `generation ${request.generationId} is not the current ${this.generationId}`,
        ),
      )
      return
    }
    member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs
    if (this.state === 'preparing-rebalance') {
      this.answerHeartbeat(requestId, errorOf('REBALANCE_IN_PROGRESS', 'the group is rebalancing'))
      return
    }
    this.releaseHeartbeat(member)
    const holdMs = Math.min(request.maxWaitMs ?? 0, Math.floor(member.sessionTimeoutMs / 2))
    if (holdMs <= 0) {
      this.answerHeartbeat(requestId, { errorCode: 0 })
      return
    }
    member.heartbeatRequestId = requestId
    member.heartbeatAnswerMs = nowMs + holdMs
  }

  /** Answers a held heartbeat with "nothing happened" (its hold ran out, or a newer one came). */
  private releaseHeartbeat(member: GroupMember): void {
    if (member.heartbeatRequestId === undefined) return
    this.answerHeartbeat(member.heartbeatRequestId, { errorCode: 0 })
    member.heartbeatRequestId = undefined
  }

  /** The member `memberId`, or why it is refused (unknown, fenced static instance, dead group). */
  checkMember(memberId: string, groupInstanceId: string | undefined): MemberCheck {
    if (this.state === 'dead')
      return { error: 'UNKNOWN_MEMBER_ID', detail: `group ${this.groupId} was deleted` }
    if (groupInstanceId !== undefined) {
      const current = this.staticMembers.get(groupInstanceId)
      if (current !== undefined && current !== memberId)
        return {
          error: 'FENCED_INSTANCE_ID',
          detail: `instance ${groupInstanceId} is now member ${current}`,
        }
    }
    const member = this.members.get(memberId)
    if (member === undefined)
      return { error: 'UNKNOWN_MEMBER_ID', detail: `group ${this.groupId} has no member "${memberId}"` }
    return { member }
  }

  // ── Leaving, timeouts, triggers ────────────────────────────────────────────────────────────

  /** Removes a member and answers its held requests; the caller decides what the group does next. */
  removeMember(member: GroupMember, reason: string): void {
    this.members.delete(member.memberId)
    if (member.groupInstanceId !== undefined) this.staticMembers.delete(member.groupInstanceId)
    this.pendingSync.delete(member.memberId)
    if (this.leaderId === member.memberId) this.leaderId = undefined
    this.answerPending(member, 'UNKNOWN_MEMBER_ID', `removed from group ${this.groupId}: ${reason}`)
    this.context.outbox.event({
      groupId: this.groupId,
      type: 'member-removed',
      detail: `${member.memberId}: ${reason}`,
    })
  }

  /** After members were removed: a stable group rebalances, a rebalancing one may now be complete. */
  membersChanged(nowMs: number, reason: string): void {
    if (this.state === 'stable' || this.state === 'completing-rebalance') this.prepareRebalance(nowMs, reason)
    else if (this.state === 'preparing-rebalance') this.tryCompleteJoin(nowMs)
  }

  /** Expires sessions and rebalance/sync deadlines. Call at `nextDeadlineMs()` (or any time). */
  tick(nowMs: number): void {
    const expired = [...this.members.values()].filter(
      (member) =>
        member.joinRequestId === undefined &&
        member.syncRequestId === undefined &&
        nowMs >= member.sessionDeadlineMs,
    )
    for (const member of expired) this.removeMember(member, `no heartbeat for ${member.sessionTimeoutMs} ms`)
    if (expired.length > 0) this.membersChanged(nowMs, `${expired.length} member(s) timed out`)
    for (const member of this.members.values())
      if (member.heartbeatRequestId !== undefined && nowMs >= member.heartbeatAnswerMs)
        this.releaseHeartbeat(member)
    if (this.phaseDeadlineMs === undefined || nowMs < this.phaseDeadlineMs) {
      this.tryCompleteJoin(nowMs)
      return
    }
    if (this.state === 'preparing-rebalance') {
      for (const member of [...this.members.values()])
        if (member.joinRequestId === undefined)
          this.removeMember(member, 'did not rejoin within the rebalance timeout')
      this.completeJoin(nowMs)
    } else if (this.state === 'completing-rebalance') {
      for (const memberId of [...this.pendingSync])
        this.removeMember(this.members.get(memberId)!, 'did not send SyncGroup within the rebalance timeout')
      this.prepareRebalance(nowMs, 'members did not sync in time')
    }
  }

  /** The earliest time `tick` has something to do, or undefined when nothing is scheduled. */
  nextDeadlineMs(): number | undefined {
    let deadline = this.phaseDeadlineMs ?? Number.POSITIVE_INFINITY
    if (this.state === 'preparing-rebalance' && this.joinNotBeforeMs !== undefined)
      deadline = Math.min(deadline, this.joinNotBeforeMs)
    for (const member of this.members.values()) {
      if (member.joinRequestId === undefined && member.syncRequestId === undefined)
        deadline = Math.min(deadline, member.sessionDeadlineMs)
      if (member.heartbeatRequestId !== undefined) deadline = Math.min(deadline, member.heartbeatAnswerMs)
    }
    return deadline === Number.POSITIVE_INFINITY ? undefined : deadline
  }

  /** A subscribed topic gained partitions: a stable group rebalances so the new ones get owners. */
  partitionsGrew(topic: string, nowMs: number): boolean {
    if (this.state !== 'stable' && this.state !== 'completing-rebalance') return false
    if (![...this.members.values()].some((member) => member.subscribedTopics.has(topic))) return false
    this.prepareRebalance(nowMs, `topic ${topic} gained partitions`)
    return true
  }

  /** Deleted: held requests are answered, and the owner drops the group. */
  markDead(): void {
    for (const member of this.members.values())
      this.answerPending(member, 'UNKNOWN_MEMBER_ID', 'the group was deleted')
    this.state = 'dead'
  }

  /** Rebuild: the group as its last metadata record left it, stable (empty without members).
   *  Every member's session starts at `nowMs`, so live members keep their generation by
   *  heartbeating and dead ones time out. */
  restore(value: GroupMetadataValue, nowMs: number): void {
    this.generationId = value.generationId
    this.protocolType = value.protocolType === '' ? undefined : value.protocolType
    this.protocolName = value.protocolName === '' ? undefined : value.protocolName
    this.leaderId = value.leader === '' ? undefined : value.leader
    this.members.clear()
    this.staticMembers.clear()
    for (const stored of value.members) {
      const protocols = [{ name: value.protocolName, metadata: stored.metadata }]
      let topics = new Set<string>()
      try {
        topics = subscribedTopics({ protocolType: value.protocolType, protocols })
      } catch {
        // A subscription this build cannot read only loses the partition-growth trigger.
      }
      this.members.set(stored.memberId, {
        memberId: stored.memberId,
        groupInstanceId: stored.groupInstanceId,
        clientId: stored.clientId,
        clientHost: stored.clientHost,
        sessionTimeoutMs: stored.sessionTimeoutMs,
        rebalanceTimeoutMs: stored.rebalanceTimeoutMs,
        protocols,
        subscribedTopics: topics,
        assignment: stored.assignment,
        joinRequestId: undefined,
        syncRequestId: undefined,
        heartbeatRequestId: undefined,
        heartbeatAnswerMs: 0,
        sessionDeadlineMs: nowMs + stored.sessionTimeoutMs,
      })
      if (stored.groupInstanceId !== undefined)
        this.staticMembers.set(stored.groupInstanceId, stored.memberId)
    }
    this.state = this.members.size > 0 ? 'stable' : 'empty'
    this.phaseDeadlineMs = undefined
  }

  // ── Records and answers ────────────────────────────────────────────────────────────────────

  /** The membership snapshot stored in __consumer_offsets. */
  metadataValue(): GroupMetadataValue {
    return {
      protocolType: this.protocolType ?? '',
      protocolName: this.protocolName ?? '',
      generationId: this.generationId,
      leader: this.leaderId ?? '',
      members: [...this.members.values()].map((member) => {
        const stored = {
          memberId: member.memberId,
          clientId: member.clientId,
          clientHost: member.clientHost,
          sessionTimeoutMs: member.sessionTimeoutMs,
          rebalanceTimeoutMs: member.rebalanceTimeoutMs,
          metadata: this.memberMetadata(member).metadata,
          assignment: member.assignment,
        }
        return member.groupInstanceId === undefined
          ? stored
          : { ...stored, groupInstanceId: member.groupInstanceId }
      }),
    }
  }

  private storeGroup(): void {
    this.context.outbox.append(
      encodeGroupLogEntry({ type: 'group', groupId: this.groupId, value: this.metadataValue() }),
    )
  }

  private answerPending(member: GroupMember, code: ErrorName, detail: string): void {
    if (member.joinRequestId !== undefined)
      this.answerJoin(member.joinRequestId, joinError(member.memberId, code, detail))
    if (member.syncRequestId !== undefined) this.answerSync(member.syncRequestId, syncError(code, detail))
    if (member.heartbeatRequestId !== undefined)
      this.answerHeartbeat(member.heartbeatRequestId, errorOf(code, detail))
    member.joinRequestId = undefined
    member.syncRequestId = undefined
    member.heartbeatRequestId = undefined
  }

  private answerJoin(requestId: RequestId, response: JoinGroupResponse): void {
    this.context.outbox.respond({ api: 'JoinGroup', requestId, response })
  }

  private answerSync(requestId: RequestId, response: SyncGroupResponse): void {
    this.context.outbox.respond({ api: 'SyncGroup', requestId, response })
  }

  private answerHeartbeat(requestId: RequestId, response: HeartbeatResponse): void {
    this.context.outbox.respond({ api: 'Heartbeat', requestId, response })
  }
}

function joinError(memberId: string, code: ErrorName, detail: string): JoinGroupResponse {
  return { ...errorOf(code, detail), generationId: -1, leader: '', memberId, members: [] }
}

function syncError(code: ErrorName, detail: string): SyncGroupResponse {
  return { ...errorOf(code, detail), assignment: emptyBytes }
}

function updateMember(
  member: GroupMember,
  request: JoinGroupRequest,
  topics: Set<string>,
  nowMs: number,
): void {
  member.protocols = request.protocols
  member.subscribedTopics = topics
  member.sessionTimeoutMs = request.sessionTimeoutMs
  member.rebalanceTimeoutMs = request.rebalanceTimeoutMs
  if (request.clientId !== undefined) member.clientId = request.clientId
  member.sessionDeadlineMs = nowMs + request.sessionTimeoutMs
}

function sameProtocols(a: readonly JoinGroupProtocol[], b: readonly JoinGroupProtocol[]): boolean {
  return (
    a.length === b.length &&
    a.every((protocol, index) => {
      const other = b[index]!
      return protocol.name === other.name && protocol.metadata.equals(other.metadata)
    })
  )
}

/** Same assignors, topics and user data, ignoring the owned partitions and generation a subscription carries. */
function sameSubscriptions(
  protocolType: string,
  a: readonly JoinGroupProtocol[],
  b: readonly JoinGroupProtocol[],
): boolean {
  if (a.length !== b.length) return false
  return a.every((protocol, index) => {
    const other = b[index]!
    if (protocol.name !== other.name) return false
    try {
      const left = readSubscription(protocolType, protocol.metadata)
      const right = readSubscription(protocolType, other.metadata)
      // An opaque protocol type: only identical bytes count as unchanged.
      if (left === undefined || right === undefined) return protocol.metadata.equals(other.metadata)
      const leftTopics = [...left.topics].sort().join('\u0000')
      const rightTopics = [...right.topics].sort().join('\u0000')
      return leftTopics === rightTopics && left.userData.equals(right.userData)
    } catch {
      // Not a subscription after all: only identical bytes count as unchanged.
      return protocol.metadata.equals(other.metadata)
    }
  })
}

/** Topics of a consumer member's subscriptions (Weir's or Kafka's); opaque protocol types subscribe to nothing we know. */
function subscribedTopics(request: Pick<JoinGroupRequest, 'protocolType' | 'protocols'>): Set<string> {
  const topics = new Set<string>()
  for (const protocol of request.protocols)
    for (const topic of readSubscription(request.protocolType, protocol.metadata)?.topics ?? [])
      topics.add(topic)
  return topics
}
