// The member side of a consumer group against the real coordinator: the I/O shell around the pure
// decisions of membership-decisions.ts. One loop joins and syncs (and joins again when asked);
// heartbeats run on their own timer, so a slow application never delays them; the application's
// revoke callback is awaited before the member rejoins, so in-flight work can finish and be
// committed while the member still owns its partitions.
//
// Protocol choice: the member offers its `assignors` in order (default cooperative-sticky alone:
// incremental rebalances, members keep their partitions, only moved ones pause). With an eager
// protocol (range, roundrobin) every partition is revoked before each join.
import {
  consumerProtocolType,
  decodeConsumerAssignment,
  encodeConsumerSubscription,
  Heartbeat,
  heartbeatWaitMsMax,
  isWeirError,
  JoinGroup,
  type JoinGroupResponse,
  LeaveGroup,
  SyncGroup,
  type SyncGroupAssignment,
  type Timer,
  WeirError,
} from '@weir/protocol'
import { type Assignor, cooperativeStickyAssignor } from '../assignors/index.js'
import type { Cluster } from '../cluster.js'
import { backoffMs, integerOption, renamedOption } from '../limits.js'
import { CoordinatorClient } from './coordinator-client.js'
import {
  chooseAssignor,
  computeGroupAssignment,
  decodeMembers,
  subscribedTopics,
} from './leader-assignment.js'
import {
  actionForError,
  assignmentChange,
  flatten,
  type GroupPartition,
  type GroupPhase,
  pollIntervalExceeded,
  revokeBeforeJoin,
  withoutPartitions,
} from './membership-decisions.js'

/** Who is committing: OffsetCommit carries it so the coordinator can fence zombies. */
export interface MemberContext {
  readonly groupId: string
  readonly memberId: string
  readonly generationId: number
  readonly groupInstanceId?: string
}

/** The application's side. Both callbacks are awaited; the membership does nothing meanwhile
 *  except heartbeat. A callback that throws stops the member (see `onError`). */
export interface MembershipListener {
  /** Partitions newly assigned in generation `context.generationId`. */
  onAssigned?(partitions: readonly GroupPartition[], context: MemberContext): Promise<void> | void
  /** Partitions to give up: finish and commit their in-flight work first, unless `lost` (another
   *  member may already own them; a commit would be refused). */
  onRevoked?(partitions: readonly GroupPartition[], details: { readonly lost: boolean }): Promise<void> | void
  /** The member stopped for good: FENCED_INSTANCE_ID, a configuration the coordinator refuses, or
   *  a callback that threw. Its partitions were revoked as lost first. */
  onError?(error: Error): void
  /** A join round begins: the first join, or a rebalance (`reason` says why). */
  onJoining?(reason: string): void
  /** The round ended with an assignment, `durationMs` after onJoining. */
  onJoined?(details: JoinedDetails): void
}

export interface JoinedDetails {
  readonly groupId: string
  readonly memberId: string
  readonly generationId: number
  /** Whether this member computed the group's assignment. */
  readonly isLeader: boolean
  readonly durationMs: number
}

/** A member that stopped for good: its partitions are revoked as lost, then the error is reported. */
export async function reportFailure(
  listener: MembershipListener | undefined,
  lost: readonly GroupPartition[],
  error: Error,
): Promise<void> {
  try {
    if (lost.length > 0) await listener?.onRevoked?.(lost, { lost: true })
  } catch {
    // The member has failed already; the error reported below is the one that matters.
  }
  listener?.onError?.(error)
}

export interface GroupMembershipOptions {
  readonly groupId: string
  readonly topics: readonly string[]
  /** Static membership: a stable name (pod name); a restart within the session keeps the assignment. */
  readonly groupInstanceId?: string
  readonly clientId?: string
  /** Default 10 000 (within the broker's allowed range, 1 s to 30 min by default). */
  readonly sessionTimeoutMs?: number
  /** How long a rebalance waits for this member to rejoin. Default 60 000. */
  readonly rebalanceTimeoutMs?: number
  /** Default 3000; must be below sessionTimeoutMs. */
  readonly heartbeatIntervalMs?: number
  /** The member leaves the group when `poll()` is not called for this long. Default 300 000. */
  readonly maxPollIntervalMs?: number
  /** In order of preference. Default [cooperativeStickyAssignor]. */
  readonly assignors?: readonly Assignor[]
  /** Backoff after a retriable error, doubling. Defaults 50 and 1000. */
  readonly retryBackoffMs?: number
  readonly maxRetryBackoffMs?: number
  /** @deprecated Use maxRetryBackoffMs (the new name wins when both are given). */
  readonly retryBackoffMsMax?: number
  readonly listener?: MembershipListener
}

export type MembershipState = 'idle' | 'joining' | 'stable' | 'revoking' | 'left' | 'closed' | 'failed'

interface Rejoin {
  readonly reason: string
  readonly resetMemberId: boolean
  readonly partitionsLost: boolean
}

interface ResolvedOptions {
  readonly sessionTimeoutMs: number
  readonly rebalanceTimeoutMs: number
  readonly heartbeatIntervalMs: number
  readonly maxPollIntervalMs: number
  readonly retryBackoffMs: number
  readonly retryBackoffMsMax: number
  readonly assignors: readonly Assignor[]
}

/** Extra time over rebalanceTimeoutMs a JoinGroup or SyncGroup may be held before the client gives up. */
export const heldRequestMarginMs = 5000

export class GroupMembership {
  readonly groupId: string
  readonly coordinator: CoordinatorClient
  private readonly settings: ResolvedOptions
  private stateValue: MembershipState = 'idle'
  private memberId = ''
  private generationId = -1
  private protocolName: string | undefined
  private owned = new Map<string, number[]>()
  private rejoin: Rejoin | undefined = { reason: 'start', resetMemberId: false, partitionsLost: false }
  private failures = 0
  private lastPollMs: number
  private heartbeatTimer: Timer | undefined
  /** Bumped by every heartbeat sent and by stopHeartbeat: only the latest one's answer schedules the next. */
  private heartbeatToken = 0
  private wake: (() => void) | undefined
  private loop: Promise<void> | undefined
  private stableWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = []
  private failure: Error | undefined

  constructor(
    private readonly cluster: Cluster,
    private readonly options: GroupMembershipOptions,
  ) {
    const owner = 'group membership'
    this.lastPollMs = cluster.environment.clock.now()
    if (typeof options.groupId !== 'string' || options.groupId.length === 0)
      throw new WeirError('INVALID_CONFIG', `${owner} option groupId must be a non-empty string`)
    if (!Array.isArray(options.topics) || options.topics.length === 0)
      throw new WeirError('INVALID_CONFIG', `${owner} option topics must list at least one topic`)
    this.groupId = options.groupId
    const sessionTimeoutMs = integerOption(owner, 'sessionTimeoutMs', options.sessionTimeoutMs, 10_000, 1)
    const assignors = options.assignors ?? [cooperativeStickyAssignor]
    if (assignors.length === 0 || assignors.length > 32)
      throw new WeirError('INVALID_CONFIG', `${owner} option assignors must list 1 to 32 assignors`)
    this.settings = {
      sessionTimeoutMs,
      rebalanceTimeoutMs: integerOption(owner, 'rebalanceTimeoutMs', options.rebalanceTimeoutMs, 60_000, 1),
      heartbeatIntervalMs: integerOption(
        owner,
        'heartbeatIntervalMs',
        options.heartbeatIntervalMs,
        Math.min(3000, Math.max(1, Math.floor(sessionTimeoutMs / 3))),
        1,
        Math.max(1, sessionTimeoutMs - 1),
      ),
      maxPollIntervalMs: integerOption(owner, 'maxPollIntervalMs', options.maxPollIntervalMs, 300_000, 1),
      retryBackoffMs: integerOption(owner, 'retryBackoffMs', options.retryBackoffMs, 50, 1),
      retryBackoffMsMax: integerOption(
        owner,
        ...renamedOption(options, 'maxRetryBackoffMs', 'retryBackoffMsMax'),
        1000,
        1,
      ),
      assignors,
    }
    this.coordinator = new CoordinatorClient(cluster, options.groupId, {
      retryBackoffMs: this.settings.retryBackoffMs,
      retryBackoffMsMax: this.settings.retryBackoffMsMax,
      attemptsMax: 20,
    })
  }

  get state(): MembershipState {
    return this.stateValue
  }

  /** The member's identity for commits; undefined until the first join completes. */
  context(): MemberContext | undefined {
    if (this.memberId === '' || this.generationId < 0) return undefined
    const context = { groupId: this.groupId, memberId: this.memberId, generationId: this.generationId }
    return this.options.groupInstanceId === undefined
      ? context
      : { ...context, groupInstanceId: this.options.groupInstanceId }
  }

  /** The partitions the member owns now, sorted. */
  assignment(): GroupPartition[] {
    return flatten(this.owned)
  }

  /** The chosen protocol (assignor) of the current generation. */
  get protocol(): string | undefined {
    return this.protocolName
  }

  /** Starts the loop; resolves once the member is stable with its first assignment. */
  start(): Promise<void> {
    if (this.loop === undefined) {
      this.lastPollMs = this.cluster.environment.clock.now()
      this.loop = this.run().catch((error: unknown) =>
        this.fail(error instanceof Error ? error : new Error(String(error))),
      )
    }
    return this.whenStable()
  }

  /** Resolves when the member is next stable (now, if it is); rejects if it fails or closes first. */
  whenStable(): Promise<void> {
    if (this.stateValue === 'stable' && this.rejoin === undefined) return Promise.resolve()
    if (this.failure !== undefined) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => this.stableWaiters.push({ resolve, reject }))
  }

  /** The consumer calls this on every poll. After `maxPollIntervalMs` without one the member leaves
   *  the group; the next poll joins again. */
  poll(): void {
    this.lastPollMs = this.cluster.environment.clock.now()
    if (this.stateValue === 'left')
      this.requestRejoin({ reason: 'polled again after leaving', resetMemberId: true, partitionsLost: false })
  }

  /** Asks for a rebalance (e.g. the subscription changed). */
  requestRejoin(rejoin: Rejoin): void {
    const previous = this.rejoin
    this.rejoin = {
      reason: previous?.reason ?? rejoin.reason,
      resetMemberId: rejoin.resetMemberId || (previous?.resetMemberId ?? false),
      partitionsLost: rejoin.partitionsLost || (previous?.partitionsLost ?? false),
    }
    this.wake?.()
  }

  /**
   * Gives up the partitions (the revoke callback is awaited, so the consumer commits) and leaves
   * the group, so the others take over at once. A static member does not leave by default: its
   * restart within the session keeps its assignment without a rebalance (`leave: true` forces it).
   */
  async close(options: { leave?: boolean } = {}): Promise<void> {
    if (this.stateValue === 'closed') return
    const wasFailed = this.stateValue === 'failed'
    this.stateValue = 'closed'
    this.stopHeartbeat()
    this.wake?.()
    const leave = options.leave ?? this.options.groupInstanceId === undefined
    if (!wasFailed && this.owned.size > 0) {
      const revoked = flatten(this.owned)
      this.owned = new Map()
      await this.options.listener?.onRevoked?.(revoked, { lost: false })
    }
    if (leave && !wasFailed && (this.memberId !== '' || this.options.groupInstanceId !== undefined))
      await this.leaveGroup('closing').catch(() => undefined)
    this.rejectWaiters(new WeirError('CLIENT_CLOSED', `member of group ${this.groupId} closed`))
  }

  private async run(): Promise<void> {
    while (this.isRunning()) {
      const rejoin = this.rejoin
      if (rejoin === undefined) {
        await new Promise<void>((resolve) => (this.wake = resolve))
        this.wake = undefined
        continue
      }
      let phase: GroupPhase = 'join'
      const startedMs = this.cluster.environment.clock.now()
      try {
        this.options.listener?.onJoining?.(rejoin.reason)
        await this.revokeForJoin(rejoin)
        if (!this.isRunning()) return
        this.rejoin = undefined
        this.stateValue = 'joining'
        this.stopHeartbeat()
        const joined = await this.join(rejoin.reason)
        if (!this.isRunning()) return
        phase = 'sync'
        await this.sync(joined)
        this.failures = 0
        if (this.isRunning())
          this.options.listener?.onJoined?.({
            groupId: this.groupId,
            memberId: joined.memberId,
            generationId: joined.generationId,
            isLeader: joined.leader === joined.memberId,
            durationMs: this.cluster.environment.clock.now() - startedMs,
          })
      } catch (error) {
        await this.onLoopError(error, phase, rejoin)
      }
    }
  }

  private isRunning(): boolean {
    return this.stateValue !== 'closed' && this.stateValue !== 'failed'
  }

  private async revokeForJoin(rejoin: Rejoin): Promise<void> {
    const revoked = revokeBeforeJoin(this.protocolName, this.owned, rejoin.partitionsLost)
    if (rejoin.resetMemberId) this.memberId = ''
    if (revoked.length === 0) return
    if (this.stateValue === 'stable') this.stateValue = 'revoking'
    this.owned = withoutPartitions(this.owned, revoked)
    await this.options.listener?.onRevoked?.(revoked, { lost: rejoin.partitionsLost })
  }

  private async join(reason: string): Promise<JoinGroupResponse> {
    const metadata = encodeConsumerSubscription({
      topics: this.options.topics,
      ownedPartitions: this.owned,
      generationId: this.owned.size > 0 ? this.generationId : -1,
    })
    const request = {
      groupId: this.groupId,
      sessionTimeoutMs: this.settings.sessionTimeoutMs,
      rebalanceTimeoutMs: this.settings.rebalanceTimeoutMs,
      memberId: this.memberId,
      protocolType: consumerProtocolType,
      protocols: this.settings.assignors.map((assignor) => ({ name: assignor.name, metadata })),
      clientId: this.options.clientId ?? 'weir-client',
      reason,
    }
    const response = await this.coordinator.request(
      JoinGroup,
      this.options.groupInstanceId === undefined
        ? request
        : { ...request, groupInstanceId: this.options.groupInstanceId },
      { extraTimeoutMs: this.settings.rebalanceTimeoutMs + heldRequestMarginMs },
    )
    this.memberId = response.memberId
    this.generationId = response.generationId
    this.protocolName = response.protocolName
    return response
  }

  private async sync(joined: JoinGroupResponse): Promise<void> {
    const assignments = await this.leaderAssignments(joined)
    const request = {
      groupId: this.groupId,
      generationId: joined.generationId,
      memberId: joined.memberId,
      protocolType: consumerProtocolType,
      assignments,
    }
    const response = await this.coordinator.request(
      SyncGroup,
      joined.protocolName === undefined ? request : { ...request, protocolName: joined.protocolName },
      { extraTimeoutMs: this.settings.rebalanceTimeoutMs + heldRequestMarginMs },
    )
    if (!this.isRunning()) return
    const assigned = decodeConsumerAssignment(response.assignment).partitions
    const change = assignmentChange(this.protocolName, this.owned, assigned)
    // Heartbeats run from here on, through the revoke callback: the new generation is live. The
    // first goes at once: held by the coordinator, it is how this member hears of the next
    // rebalance (a cooperative follow-up round starts within milliseconds of this answer).
    this.stateValue = 'revoking'
    this.scheduleHeartbeat(0)
    if (change.revoked.length > 0) {
      this.owned = withoutPartitions(this.owned, change.revoked)
      await this.options.listener?.onRevoked?.(change.revoked, { lost: false })
      if (!this.isRunning()) return
    }
    this.owned = change.owned
    this.stateValue = 'stable'
    if (change.added.length > 0) {
      try {
        await this.options.listener?.onAssigned?.(change.added, this.context()!)
      } catch (error) {
        // Not taken up (e.g. their offsets could not be looked up during a failover): give them
        // back, so the rejoin that follows assigns them again instead of leaving them unread.
        this.owned = withoutPartitions(this.owned, change.added)
        throw error
      }
    }
    if (change.rejoinNow)
      this.requestRejoin({ reason: 'cooperative hand-over', resetMemberId: false, partitionsLost: false })
    else if (this.rejoin === undefined) for (const waiter of this.stableWaiters.splice(0)) waiter.resolve()
  }

  /** The leader's SyncGroup assignments; [] for followers and for a static leader told to skip. */
  private async leaderAssignments(joined: JoinGroupResponse): Promise<SyncGroupAssignment[]> {
    if (joined.leader !== joined.memberId || joined.skipAssignment === true) return []
    const assignor = chooseAssignor(this.settings.assignors, joined.protocolName)
    const members = decodeMembers(joined.members)
    const topics = subscribedTopics(members)
    const metadata = await this.cluster.metadata(topics)
    const partitionsPerTopic = new Map<string, number>()
    for (const topic of metadata.topics)
      if (topic.errorCode === 0) partitionsPerTopic.set(topic.name, topic.partitions.length)
    return computeGroupAssignment(assignor, members, partitionsPerTopic)
  }

  private async onLoopError(error: unknown, phase: GroupPhase, rejoin: Rejoin): Promise<void> {
    if (!this.isRunning()) return
    if (!isWeirError(error)) return this.fail(error instanceof Error ? error : new Error(String(error)))
    const action = actionForError(error.code, error.retriable, phase)
    if (action.kind === 'closed') return
    if (action.kind === 'fatal') return this.fail(error)
    if (action.kind === 'rejoin') {
      this.requestRejoin({ reason: `${phase}: ${error.code}`, ...action })
      return
    }
    if (action.kind === 'rediscover') this.coordinator.invalidate()
    this.requestRejoin(rejoin)
    const waitMs = backoffMs(this.failures++, this.settings.retryBackoffMs, this.settings.retryBackoffMsMax)
    await new Promise<void>((resolve) => {
      const timer = this.cluster.environment.timers.setTimeout(resolve, waitMs)
      this.wake = () => {
        this.cluster.environment.timers.clear(timer)
        resolve()
      }
    })
    this.wake = undefined
  }

  private async fail(error: Error): Promise<void> {
    this.failure = error
    this.stateValue = 'failed'
    this.stopHeartbeat()
    const lost = flatten(this.owned)
    this.owned = new Map()
    this.rejectWaiters(error)
    await reportFailure(this.options.listener, lost, error)
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of this.stableWaiters.splice(0)) waiter.reject(error)
  }

  private scheduleHeartbeat(delayMs: number): void {
    this.stopHeartbeat()
    this.heartbeatTimer = this.cluster.environment.timers.setTimeout(() => void this.heartbeat(), delayMs)
  }

  private stopHeartbeat(): void {
    this.cluster.environment.timers.clear(this.heartbeatTimer)
    this.heartbeatTimer = undefined
    this.heartbeatToken++
  }

  /**
   * One heartbeat; runs while the member is stable or revoking, whatever the application does. It
   * asks the coordinator to hold it for the heartbeat interval (maxWaitMs): the answer comes early
   * when a rebalance starts, which is how this member learns of another's leave or join within a
   * round trip. Answered early without news (a broker that does not hold), the next one waits out
   * the rest of the interval; answered after the hold, the next one goes at once.
   */
  private async heartbeat(): Promise<void> {
    if (this.stateValue !== 'stable' && this.stateValue !== 'revoking') return
    if (
      pollIntervalExceeded(
        this.lastPollMs,
        this.cluster.environment.clock.now(),
        this.settings.maxPollIntervalMs,
      )
    )
      return this.leaveForPollTimeout()
    const generationId = this.generationId
    const token = ++this.heartbeatToken
    const clock = this.cluster.environment.clock
    const sentMs = clock.now()
    const maxWaitMs = Math.min(this.settings.heartbeatIntervalMs, heartbeatWaitMsMax)
    let nextMs = this.settings.heartbeatIntervalMs
    try {
      const request = { groupId: this.groupId, generationId, memberId: this.memberId, maxWaitMs }
      await this.coordinator.request(
        Heartbeat,
        this.options.groupInstanceId === undefined
          ? request
          : { ...request, groupInstanceId: this.options.groupInstanceId },
        { extraTimeoutMs: maxWaitMs },
      )
      nextMs = Math.max(0, this.settings.heartbeatIntervalMs - (clock.now() - sentMs))
    } catch (error) {
      if (token !== this.heartbeatToken) return
      if (generationId !== this.generationId || !isWeirError(error)) return
      const action = actionForError(error.code, error.retriable, 'heartbeat')
      if (action.kind === 'fatal') return this.fail(error)
      if (action.kind === 'closed') return
      if (action.kind === 'rejoin') this.requestRejoin({ reason: `heartbeat: ${error.code}`, ...action })
      else nextMs = Math.min(nextMs, this.settings.retryBackoffMs)
    }
    if (token !== this.heartbeatToken) return
    if (this.stateValue === 'stable' || this.stateValue === 'revoking') this.scheduleHeartbeat(nextMs)
  }

  /** The application stopped polling: leave so others take the partitions; the next poll rejoins. */
  private async leaveForPollTimeout(): Promise<void> {
    this.stateValue = 'left'
    this.stopHeartbeat()
    const lost = flatten(this.owned)
    this.owned = new Map()
    await this.leaveGroup(`no poll for ${this.settings.maxPollIntervalMs} ms`).catch(() => undefined)
    this.memberId = ''
    this.generationId = -1
    // Not awaited: the application is stuck (that is why it stopped polling).
    if (lost.length > 0)
      void Promise.resolve()
        .then(() => this.options.listener?.onRevoked?.(lost, { lost: true }))
        .catch((error: unknown) => this.options.listener?.onError?.(error as Error))
  }

  private async leaveGroup(reason: string): Promise<void> {
    const member = { memberId: this.memberId, reason }
    await this.coordinator.requestWithRetry(
      LeaveGroup,
      {
        groupId: this.groupId,
        members: [
          this.options.groupInstanceId === undefined
            ? member
            : { ...member, groupInstanceId: this.options.groupInstanceId },
        ],
      },
      'leave',
    )
  }
}
