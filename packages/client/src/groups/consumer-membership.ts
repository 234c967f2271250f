// The member side of the broker-driven group protocol (ConsumerGroupHeartbeat, KIP-848 in spirit):
// `groupProtocol: 'consumer'`. There is no join/sync round and no leader here: one loop sends the
// member's subscription and owned partitions, and acts on each answer, which is the set of
// partitions to own now: partitions missing from it are revoked (the listener commits them), new
// ones assigned. Then it reports what it owns at once when that changed, else sends a heartbeat the
// coordinator holds for `heartbeatIntervalMs` and answers early when there is something to do.
// Requests are sequential, so what a member reports always reflects the last answer it acted on:
// the coordinator relies on that to give a partition to a new owner only after the old one let go.
import {
  ConsumerGroupHeartbeat,
  type ConsumerGroupHeartbeatResponse,
  heartbeatWaitMsMax,
  isWeirError,
  MemberEpochs,
  type TopicPartitionNumbers,
  WeirError,
} from '@weir/protocol'
import type { Cluster } from '../cluster.js'
import { backoffMs, integerOption } from '../limits.js'
import { CoordinatorClient } from './coordinator-client.js'
import { type MemberContext, type MembershipListener, reportFailure } from './group-membership.js'
import {
  actionForError,
  flatten,
  type GroupPartition,
  pollIntervalExceeded,
  toMap,
  withoutPartitions,
} from './membership-decisions.js'

export interface ConsumerMembershipOptions {
  readonly groupId: string
  readonly topics: readonly string[]
  readonly clientId?: string
  /** Default 10 000. */
  readonly sessionTimeoutMs?: number
  /** How long the coordinator may hold a heartbeat with nothing to say. Default 3000, below the session. */
  readonly heartbeatIntervalMs?: number
  /** The member leaves the group when `poll()` is not called for this long. Default 300 000. */
  readonly maxPollIntervalMs?: number
  readonly retryBackoffMs?: number
  readonly maxRetryBackoffMs?: number
  readonly listener?: MembershipListener
}

type State = 'running' | 'left' | 'closed' | 'failed'

/** Errors after which the member's partitions may be with someone else: drop them, join again. */
const rejoinErrors = new Set(['UNKNOWN_MEMBER_ID', 'FENCED_MEMBER_EPOCH'])

export class ConsumerMembership {
  readonly groupId: string
  readonly coordinator: CoordinatorClient
  private state: State = 'running'
  private memberId = ''
  private epoch: number = MemberEpochs.join
  private owned = new Map<string, number[]>()
  /** Report owned partitions (and the subscription) on the next request instead of holding it. */
  private reportNow = true
  private failures = 0
  private lastPollMs: number
  private loop: Promise<void> | undefined
  private stable = false
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = []
  private failure: Error | undefined
  private wake: (() => void) | undefined
  private readonly sessionTimeoutMs: number
  private readonly heartbeatIntervalMs: number
  private readonly maxPollIntervalMs: number
  private readonly retryBackoffMs: number
  private readonly retryBackoffMsMax: number

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ConsumerMembershipOptions,
  ) {
    const owner = 'group membership'
    if (typeof options.groupId !== 'string' || options.groupId.length === 0)
      throw new WeirError('INVALID_CONFIG', `${owner} option groupId must be a non-empty string`)
    if (!Array.isArray(options.topics) || options.topics.length === 0)
      throw new WeirError('INVALID_CONFIG', `${owner} option topics must list at least one topic`)
    this.groupId = options.groupId
    this.sessionTimeoutMs = integerOption(owner, 'sessionTimeoutMs', options.sessionTimeoutMs, 10_000, 1)
    this.heartbeatIntervalMs = integerOption(
      owner,
      'heartbeatIntervalMs',
      options.heartbeatIntervalMs,
      Math.min(3000, Math.max(1, Math.floor(this.sessionTimeoutMs / 3))),
      1,
      Math.max(1, this.sessionTimeoutMs - 1),
    )
    this.maxPollIntervalMs = integerOption(owner, 'maxPollIntervalMs', options.maxPollIntervalMs, 300_000, 1)
    this.retryBackoffMs = integerOption(owner, 'retryBackoffMs', options.retryBackoffMs, 50, 1)
    this.retryBackoffMsMax = integerOption(owner, 'maxRetryBackoffMs', options.maxRetryBackoffMs, 1000, 1)
    this.lastPollMs = cluster.environment.clock.now()
    this.coordinator = new CoordinatorClient(cluster, options.groupId, {
      retryBackoffMs: this.retryBackoffMs,
      retryBackoffMsMax: this.retryBackoffMsMax,
      attemptsMax: 20,
    })
  }

  /** Starts the loop; resolves once the first assignment has been taken up. */
  start(): Promise<void> {
    if (this.loop === undefined) {
      this.lastPollMs = this.cluster.environment.clock.now()
      this.loop = this.run().catch((error: unknown) =>
        this.fail(error instanceof Error ? error : new Error(String(error))),
      )
    }
    if (this.stable) return Promise.resolve()
    if (this.failure !== undefined) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }))
  }

  assignment(): GroupPartition[] {
    return flatten(this.owned)
  }

  /** For commits: the member epoch travels as the generation (the coordinator fences by it). */
  context(): MemberContext | undefined {
    if (this.memberId === '' || this.epoch <= 0) return undefined
    return { groupId: this.groupId, memberId: this.memberId, generationId: this.epoch }
  }

  poll(): void {
    this.lastPollMs = this.cluster.environment.clock.now()
    if (this.state !== 'left') return
    this.state = 'running'
    this.wake?.()
  }

  /** Gives up the partitions (the listener commits them), then leaves so others take them at once. */
  async close(options: { leave?: boolean } = {}): Promise<void> {
    if (this.state === 'closed') return
    const wasFailed = this.state === 'failed'
    this.state = 'closed'
    this.wake?.()
    if (!wasFailed && this.owned.size > 0) {
      const revoked = flatten(this.owned)
      this.owned = new Map()
      await this.options.listener?.onRevoked?.(revoked, { lost: false })
    }
    if ((options.leave ?? true) && !wasFailed && this.memberId !== '')
      await this.leave().catch(() => undefined)
    this.rejectWaiters(new WeirError('CLIENT_CLOSED', `member of group ${this.groupId} closed`))
  }

  private async leave(): Promise<void> {
    await this.coordinator.requestWithRetry(
      ConsumerGroupHeartbeat,
      { groupId: this.groupId, memberId: this.memberId, memberEpoch: MemberEpochs.leave },
      'leave',
    )
  }

  private async run(): Promise<void> {
    while (this.state !== 'closed' && this.state !== 'failed') {
      if (this.state === 'left') {
        await new Promise<void>((resolve) => (this.wake = resolve))
        this.wake = undefined
        continue
      }
      if (
        pollIntervalExceeded(this.lastPollMs, this.cluster.environment.clock.now(), this.maxPollIntervalMs)
      ) {
        await this.leaveForPollTimeout()
        continue
      }
      try {
        const answer = await this.heartbeat()
        if (this.state !== 'running') continue
        await this.act(answer)
        this.failures = 0
      } catch (error) {
        await this.onError(error)
      }
    }
  }

  private heartbeat(): Promise<ConsumerGroupHeartbeatResponse> {
    const joining = this.memberId === ''
    const report = joining || this.reportNow
    const maxWaitMs = report ? 0 : Math.min(this.heartbeatIntervalMs, heartbeatWaitMsMax)
    this.reportNow = false
    const request = {
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: joining ? MemberEpochs.join : this.epoch,
      clientId: this.options.clientId ?? 'weir-client',
      ...(joining
        ? { sessionTimeoutMs: this.sessionTimeoutMs, subscribedTopicNames: [...this.options.topics] }
        : {}),
      ...(report && !joining ? { ownedPartitions: toWire(this.owned) } : {}),
      ...(maxWaitMs > 0 ? { maxWaitMs } : {}),
    }
    return this.coordinator.request(ConsumerGroupHeartbeat, request, { extraTimeoutMs: maxWaitMs })
  }

  /** Takes up an answer: revoke what is gone (awaited, so it is committed), then start the new ones. */
  private async act(answer: ConsumerGroupHeartbeatResponse): Promise<void> {
    const epochBefore = this.epoch
    const joining = this.memberId === ''
    this.memberId = answer.memberId
    this.epoch = answer.memberEpoch
    const next = toMap(
      (answer.assignment ?? []).flatMap(({ name, partitions }) =>
        partitions.map((partition) => ({ topic: name, partition })),
      ),
    )
    const nextKeys = new Set(flatten(next).map(keyOf))
    const ownedKeys = new Set(flatten(this.owned).map(keyOf))
    const revoked = flatten(this.owned).filter((entry) => !nextKeys.has(keyOf(entry)))
    const added = flatten(next).filter((entry) => !ownedKeys.has(keyOf(entry)))
    // No group-wide round here: a "join" is this member taking up a changed assignment (its share only).
    const changed = revoked.length > 0 || added.length > 0
    const startedMs = this.cluster.environment.clock.now()
    if (changed)
      this.options.listener?.onJoining?.(joining ? 'joining' : 'the coordinator changed the assignment')
    if (revoked.length > 0) {
      this.owned = withoutPartitions(this.owned, revoked)
      await this.options.listener?.onRevoked?.(revoked, { lost: false })
      if (this.state !== 'running') return
    }
    if (added.length > 0) {
      this.owned = toMap([...flatten(this.owned), ...added])
      try {
        await this.options.listener?.onAssigned?.(added, this.context()!)
      } catch (error) {
        // Not taken up (their offsets could not be looked up): report them not owned and retry.
        this.owned = withoutPartitions(this.owned, added)
        this.reportNow = true
        throw error
      }
    }
    if (changed)
      this.options.listener?.onJoined?.({
        groupId: this.groupId,
        memberId: this.memberId,
        generationId: this.epoch,
        isLeader: false,
        durationMs: this.cluster.environment.clock.now() - startedMs,
      })
    this.reportNow = revoked.length > 0 || added.length > 0 || this.epoch !== epochBefore
    if (!this.stable) {
      this.stable = true
      for (const waiter of this.waiters.splice(0)) waiter.resolve()
    }
  }

  private async onError(error: unknown): Promise<void> {
    if (this.state === 'closed' || this.state === 'failed') return
    if (!isWeirError(error)) return this.fail(error instanceof Error ? error : new Error(String(error)))
    if (rejoinErrors.has(error.code)) {
      await this.dropAsLost()
      return
    }
    const action = actionForError(error.code, error.retriable, 'heartbeat')
    if (action.kind === 'closed') return
    if (action.kind === 'fatal') return this.fail(error)
    if (action.kind === 'rediscover') this.coordinator.invalidate()
    this.reportNow = true
    const waitMs = backoffMs(this.failures++, this.retryBackoffMs, this.retryBackoffMsMax)
    await new Promise<void>((resolve) => {
      const timer = this.cluster.environment.timers.setTimeout(resolve, waitMs)
      this.wake = () => {
        this.cluster.environment.timers.clear(timer)
        resolve()
      }
    })
    this.wake = undefined
  }

  /** The coordinator no longer knows this member (or its epoch): another may own its partitions. */
  private async dropAsLost(): Promise<void> {
    const lost = flatten(this.owned)
    this.owned = new Map()
    this.memberId = ''
    this.epoch = MemberEpochs.join
    this.reportNow = true
    if (lost.length > 0) await this.options.listener?.onRevoked?.(lost, { lost: true })
  }

  private async leaveForPollTimeout(): Promise<void> {
    this.state = 'left'
    const lost = flatten(this.owned)
    this.owned = new Map()
    if (this.memberId !== '') await this.leave().catch(() => undefined)
    this.memberId = ''
    this.epoch = MemberEpochs.join
    this.reportNow = true
    // Not awaited: the application is stuck (that is why it stopped polling).
    if (lost.length > 0)
      void Promise.resolve()
        .then(() => this.options.listener?.onRevoked?.(lost, { lost: true }))
        .catch((error: unknown) => this.options.listener?.onError?.(error as Error))
  }

  private async fail(error: Error): Promise<void> {
    if (this.state === 'closed') return
    this.failure = error
    this.state = 'failed'
    const lost = flatten(this.owned)
    this.owned = new Map()
    this.rejectWaiters(error)
    await reportFailure(this.options.listener, lost, error)
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error)
  }
}

function keyOf(entry: GroupPartition): string {
  return `${entry.topic}\u0000${entry.partition}`
}

function toWire(owned: ReadonlyMap<string, readonly number[]>): TopicPartitionNumbers[] {
  return [...owned.keys()].sort().map((name) => ({ name, partitions: [...owned.get(name)!] }))
}
