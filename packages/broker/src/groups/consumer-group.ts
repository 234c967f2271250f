// The members of one group under the broker-driven protocol (ConsumerGroupHeartbeat, KIP-848 in
// spirit), pure: no timers, clock or sockets; time comes in as nowMs, answers go to the outbox.
//
// - The group epoch counts membership and subscription changes; each change recomputes the target
//   assignment (target-assignment.ts, sticky).
// - A member is answered with what it may own now: its target partitions that no other member
//   still holds. "Holds" is what the coordinator last gave that member, what it is revoking and
//   what it last reported as owned, so a partition is never given to a second member before the
//   first has reported it gone (the invariant the property test checks).
// - The member epoch goes up each time a member's assignment changes; a request must carry the
//   member's current epoch (else FENCED_MEMBER_EPOCH), so a stale member cannot act, and commits
//   are fenced by it too.
// - No barrier: members converge one heartbeat at a time. A heartbeat with maxWaitMs whose answer
//   would be unchanged is held until the member's assignment changes (someone left, a partition
//   was freed) or the hold ends, so hand-overs take a round trip, not a heartbeat interval.
// - Every change of who holds what is appended to __consumer_offsets (key [3, groupId]) before
//   the answers go out, so a new coordinator after a failover restores members, epochs and
//   assignments (restore) and keeps the no-double-owner rule.
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  TopicPartitionNumbers,
} from '@weir/protocol'
import type { GroupLimits } from './group-limits.js'
import { errorOf, type GroupOutbox, type RequestId } from './group-output.js'
import { type ConsumerGroupValue, encodeGroupLogEntry } from './group-records.js'
import { type PartitionKey, partitionKey, splitPartitionKey, uniformAssignment } from './target-assignment.js'

/** A member's session when its request gives none, as the classic protocol's client default. */
export const defaultConsumerSessionTimeoutMs = 10_000

export interface ConsumerMember {
  readonly memberId: string
  clientId: string
  clientHost: string
  epoch: number
  topics: Set<string>
  sessionTimeoutMs: number
  sessionDeadlineMs: number
  /** What the last answer told the member to own. */
  assigned: Set<PartitionKey>
  /** Taken away by an answer, not yet reported gone by the member. */
  revoking: Set<PartitionKey>
  /** What the member last reported owning. */
  owned: Set<PartitionKey>
  heldRequestId: RequestId | undefined
  heldUntilMs: number
}

export interface ConsumerGroupContext {
  readonly limits: GroupLimits
  readonly outbox: GroupOutbox
  readonly newMemberId: (clientId: string) => string
  /** A topic's partition count; undefined for a topic that does not exist. */
  readonly partitionsOf: (topic: string) => number | undefined
}

export class ConsumerGroupMembers {
  groupEpoch = 0
  readonly members = new Map<string, ConsumerMember>()
  target = new Map<string, Set<PartitionKey>>()
  /** Something that must be stored changed since the last record. */
  private dirty = false

  constructor(
    readonly groupId: string,
    private readonly context: ConsumerGroupContext,
  ) {}

  heartbeat(
    requestId: RequestId,
    request: ConsumerGroupHeartbeatRequest,
    clientHost: string,
    nowMs: number,
  ): void {
    this.handle(requestId, request, clientHost, nowMs)
    this.flush()
  }

  private handle(
    requestId: RequestId,
    request: ConsumerGroupHeartbeatRequest,
    clientHost: string,
    nowMs: number,
  ): void {
    if (request.memberEpoch === 0 && request.memberId === '') {
      this.join(requestId, request, clientHost, nowMs)
      return
    }
    const member = this.members.get(request.memberId)
    if (member === undefined) {
      this.answerError(
        requestId,
        request,
        'UNKNOWN_MEMBER_ID',
        `group ${this.groupId} has no member "${request.memberId}"`,
      )
      return
    }
    if (request.memberEpoch === -1) {
      this.remove(member)
      this.recompute()
      this.respond(requestId, { errorCode: 0, memberId: member.memberId, memberEpoch: -1 })
      return
    }
    if (request.memberEpoch !== member.epoch) {
      this.answerError(
        requestId,
        request,
        'FENCED_MEMBER_EPOCH',
        `member ${member.memberId} is at epoch ${member.epoch}, the request carries ${request.memberEpoch}`,
      )
      return
    }
    member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs
    this.releaseHeld(member)
    let changed = false
    if (request.subscribedTopicNames !== undefined && !sameSet(member.topics, request.subscribedTopicNames)) {
      member.topics = new Set(request.subscribedTopicNames)
      changed = true
    }
    if (request.ownedPartitions !== undefined) {
      // The member has seen the latest answer (its epoch matches): what it no longer owns is gone.
      const owned = keysOf(request.ownedPartitions)
      if (!sameKeys(owned, member.owned)) this.dirty = true
      member.owned = owned
      for (const key of [...member.revoking]) if (!member.owned.has(key)) member.revoking.delete(key)
    }
    if (changed) this.recompute()
    else this.wakeOthers(member)
    this.answerOrHold(member, requestId, request.maxWaitMs ?? 0, nowMs)
  }

  private join(
    requestId: RequestId,
    request: ConsumerGroupHeartbeatRequest,
    clientHost: string,
    nowMs: number,
  ): void {
    if (request.subscribedTopicNames === undefined || request.subscribedTopicNames.length === 0) {
      this.answerError(
        requestId,
        request,
        'INVALID_REQUEST',
        'a join (memberEpoch 0) needs subscribedTopicNames',
      )
      return
    }
    if (this.members.size >= this.context.limits.maxGroupMembers) {
      this.answerError(
        requestId,
        request,
        'GROUP_MAX_SIZE_REACHED',
        `group ${this.groupId} has ${this.members.size} members, the maximum`,
      )
      return
    }
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = this.context.limits
    const sessionTimeoutMs = request.sessionTimeoutMs ?? defaultConsumerSessionTimeoutMs
    if (sessionTimeoutMs < minSessionTimeoutMs || sessionTimeoutMs > maxSessionTimeoutMs) {
      this.answerError(
        requestId,
        request,
        'INVALID_SESSION_TIMEOUT',
        `sessionTimeoutMs ${sessionTimeoutMs} is outside ${minSessionTimeoutMs} to ${maxSessionTimeoutMs}`,
      )
      return
    }
    const memberId = this.context.newMemberId(request.clientId ?? '')
    const member: ConsumerMember = {
      memberId,
      clientId: request.clientId ?? '',
      clientHost,
      epoch: 0,
      topics: new Set(request.subscribedTopicNames),
      sessionTimeoutMs,
      sessionDeadlineMs: nowMs + sessionTimeoutMs,
      assigned: new Set(),
      revoking: new Set(),
      owned: new Set(),
      heldRequestId: undefined,
      heldUntilMs: 0,
    }
    this.members.set(memberId, member)
    this.recompute()
    // A joining member is always answered at once: it needs its id and epoch.
    this.answer(member, requestId, true)
  }

  /** What `member` may own now: its target minus what others still hold, plus what it keeps. */
  private nextAssignment(member: ConsumerMember): Set<PartitionKey> {
    const target = this.target.get(member.memberId) ?? new Set<PartitionKey>()
    const next = new Set<PartitionKey>()
    for (const key of target) {
      if (member.assigned.has(key) || !this.heldByOther(key, member.memberId)) next.add(key)
    }
    return next
  }

  private heldByOther(key: PartitionKey, memberId: string): boolean {
    for (const other of this.members.values()) {
      if (other.memberId === memberId) continue
      if (other.assigned.has(key) || other.revoking.has(key) || other.owned.has(key)) return true
    }
    return false
  }

  /** Answers at once if the assignment changes (or no hold was asked), else holds. */
  private answerOrHold(member: ConsumerMember, requestId: RequestId, maxWaitMs: number, nowMs: number): void {
    const next = this.nextAssignment(member)
    const holdMs = Math.min(maxWaitMs, Math.floor(member.sessionTimeoutMs / 2))
    if (!sameKeys(next, member.assigned) || holdMs <= 0) {
      this.answer(member, requestId, true)
      return
    }
    member.heldRequestId = requestId
    member.heldUntilMs = nowMs + holdMs
  }

  /** Sends `member` its next assignment (a new epoch when it changed). */
  private answer(member: ConsumerMember, requestId: RequestId, always: boolean): boolean {
    const next = this.nextAssignment(member)
    const changed = !sameKeys(next, member.assigned)
    if (!changed && !always) return false
    if (changed || member.epoch === 0) {
      for (const key of member.assigned) if (!next.has(key)) member.revoking.add(key)
      member.assigned = next
      member.epoch += 1
      this.dirty = true
    }
    this.respond(requestId, {
      errorCode: 0,
      memberId: member.memberId,
      memberEpoch: member.epoch,
      assignment: toTopicPartitions(member.assigned),
    })
    return true
  }

  /** Held members whose assignment changes are answered now. */
  private wakeOthers(except?: ConsumerMember): void {
    for (const other of this.members.values()) {
      if (other === except || other.heldRequestId === undefined) continue
      const requestId = other.heldRequestId
      if (this.answer(other, requestId, false)) other.heldRequestId = undefined
    }
  }

  private releaseHeld(member: ConsumerMember): void {
    if (member.heldRequestId === undefined) return
    const requestId = member.heldRequestId
    member.heldRequestId = undefined
    this.answer(member, requestId, true)
  }

  private recompute(): void {
    this.groupEpoch += 1
    const members = [...this.members.values()].map((member) => ({
      memberId: member.memberId,
      topics: member.topics,
    }))
    this.target = uniformAssignment(members, this.context.partitionsOf, this.target)
    this.wakeOthers()
  }

  private remove(member: ConsumerMember): void {
    this.members.delete(member.memberId)
    this.dirty = true
    if (member.heldRequestId !== undefined)
      this.respond(member.heldRequestId, {
        ...errorOf('UNKNOWN_MEMBER_ID', `member ${member.memberId} left or was removed`),
        memberId: member.memberId,
        memberEpoch: -1,
      })
    member.heldRequestId = undefined
    this.context.outbox.event({ groupId: this.groupId, type: 'member-removed', detail: member.memberId })
  }

  /** A topic gained partitions: the target is recomputed so the new ones get owners. */
  partitionsChanged(): void {
    if (this.members.size > 0) this.recompute()
    this.flush()
  }

  /** Expires sessions (freeing their partitions) and ends holds that ran out. */
  tick(nowMs: number): void {
    const expired = [...this.members.values()].filter((member) => nowMs >= member.sessionDeadlineMs)
    for (const member of expired) this.remove(member)
    if (expired.length > 0) this.recompute()
    for (const member of this.members.values())
      if (member.heldRequestId !== undefined && nowMs >= member.heldUntilMs) this.releaseHeld(member)
    this.flush()
  }

  /** Appends the membership when it changed; the host stores it before sending the answers. */
  private flush(): void {
    if (!this.dirty) return
    this.dirty = false
    this.context.outbox.append(
      encodeGroupLogEntry({ type: 'consumer-group', groupId: this.groupId, value: this.snapshot() }),
    )
  }

  snapshot(): ConsumerGroupValue {
    return {
      groupEpoch: this.groupEpoch,
      members: [...this.members.values()].map((member) => ({
        memberId: member.memberId,
        clientId: member.clientId,
        clientHost: member.clientHost,
        sessionTimeoutMs: member.sessionTimeoutMs,
        epoch: member.epoch,
        topics: [...member.topics].sort(),
        assigned: pairsOf(member.assigned),
        held: pairsOf(new Set([...member.revoking, ...member.owned])),
      })),
    }
  }

  /** A new coordinator takes over: members as stored, every session starting at `nowMs` (live
   *  members keep their epoch by heartbeating, dead ones time out). What a member may still hold
   *  stays held until it reports otherwise. */
  restore(value: ConsumerGroupValue, nowMs: number): void {
    this.groupEpoch = value.groupEpoch
    this.members.clear()
    for (const stored of value.members) {
      const held = keysOf(stored.held.map(([name, partitions]) => ({ name, partitions })))
      this.members.set(stored.memberId, {
        memberId: stored.memberId,
        clientId: stored.clientId,
        clientHost: stored.clientHost,
        epoch: stored.epoch,
        topics: new Set(stored.topics),
        sessionTimeoutMs: stored.sessionTimeoutMs,
        sessionDeadlineMs: nowMs + stored.sessionTimeoutMs,
        assigned: keysOf(stored.assigned.map(([name, partitions]) => ({ name, partitions }))),
        revoking: held,
        owned: new Set(),
        heldRequestId: undefined,
        heldUntilMs: 0,
      })
    }
    const members = [...this.members.values()].map((member) => ({
      memberId: member.memberId,
      topics: member.topics,
    }))
    const previous = new Map([...this.members.values()].map((member) => [member.memberId, member.assigned]))
    this.target = uniformAssignment(members, this.context.partitionsOf, previous)
    this.dirty = false
  }

  nextDeadlineMs(): number | undefined {
    let deadline = Number.POSITIVE_INFINITY
    for (const member of this.members.values()) {
      deadline = Math.min(deadline, member.sessionDeadlineMs)
      if (member.heldRequestId !== undefined) deadline = Math.min(deadline, member.heldUntilMs)
    }
    return deadline === Number.POSITIVE_INFINITY ? undefined : deadline
  }

  /** Commits are accepted from a member at its current epoch only. */
  commitRefusal(
    memberId: string,
    memberEpoch: number,
    nowMs: number,
  ): ['UNKNOWN_MEMBER_ID' | 'FENCED_MEMBER_EPOCH', string] | undefined {
    const member = this.members.get(memberId)
    if (member === undefined)
      return ['UNKNOWN_MEMBER_ID', `group ${this.groupId} has no member "${memberId}"`]
    if (memberEpoch !== member.epoch)
      return [
        'FENCED_MEMBER_EPOCH',
        `member ${memberId} is at epoch ${member.epoch}, the commit carries ${memberEpoch}`,
      ]
    member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs
    return undefined
  }

  /** Held requests get `code` (the group was deleted, the coordinator is closing). */
  answerHeld(code: 'UNKNOWN_MEMBER_ID', detail: string): void {
    for (const member of this.members.values()) {
      if (member.heldRequestId === undefined) continue
      this.respond(member.heldRequestId, {
        ...errorOf(code, detail),
        memberId: member.memberId,
        memberEpoch: -1,
      })
      member.heldRequestId = undefined
    }
  }

  private answerError(
    requestId: RequestId,
    request: ConsumerGroupHeartbeatRequest,
    code: Parameters<typeof errorOf>[0],
    detail: string,
  ): void {
    this.respond(requestId, { ...errorOf(code, detail), memberId: request.memberId, memberEpoch: -1 })
  }

  private respond(requestId: RequestId, response: ConsumerGroupHeartbeatResponse): void {
    this.context.outbox.respond({ api: 'ConsumerGroupHeartbeat', requestId, response })
  }
}

function keysOf(list: readonly TopicPartitionNumbers[]): Set<PartitionKey> {
  const keys = new Set<PartitionKey>()
  for (const { name, partitions } of list)
    for (const partition of partitions) keys.add(partitionKey(name, partition))
  return keys
}

function toTopicPartitions(keys: ReadonlySet<PartitionKey>): TopicPartitionNumbers[] {
  const byTopic = new Map<string, number[]>()
  for (const key of keys) {
    const { topic, partition } = splitPartitionKey(key)
    const list = byTopic.get(topic) ?? []
    list.push(partition)
    byTopic.set(topic, list)
  }
  return [...byTopic.keys()]
    .sort()
    .map((name) => ({ name, partitions: byTopic.get(name)!.sort((a, b) => a - b) }))
}

function sameKeys(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false
  for (const key of a) if (!b.has(key)) return false
  return true
}

function sameSet(a: ReadonlySet<string>, b: readonly string[]): boolean {
  return sameKeys(a, new Set(b))
}

function pairsOf(keys: ReadonlySet<PartitionKey>): Array<[string, number[]]> {
  return toTopicPartitions(keys).map(({ name, partitions }) => [name, [...partitions]])
}
