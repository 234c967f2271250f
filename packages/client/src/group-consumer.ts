// A consumer group member that reads what the group assigns it: `client.consumer({ groupId, ... })`.
// It composes the group-less Consumer (fetching, prefetch, decoding; unchanged, so its per-message
// path stays as tuned) with a GroupMembership (join, sync, heartbeats on their own timer) and an
// OffsetStore (broker by default). Per partition a PartitionProgress tracks which delivered
// messages are unfinished; commits go only up to the lowest unfinished offset (at-least-once).
//
// - for await: a message is finished when the loop asks for the next one. Leaving the loop
//   (break, throw) leaves the last message unfinished: it is delivered again and not committed.
// - run({ eachMessage }): finished when eachMessage resolves; `concurrency: N` runs messages of
//   different keys of a partition in parallel, each key in order (null keys are unordered).
// - On revoke: fetching stops, buffered data is dropped, queued work is abandoned (uncommitted,
//   the next owner reads it), running work finishes and is committed before the partition goes.
import { EventEmitter } from 'node:events'
import { OffsetSpec, type Timer, WeirError } from '@weir/protocol'
import type { Assignor } from './assignors/index.js'
import type { Cluster } from './cluster.js'
import { Consumer, type ConsumerOptions } from './consumer.js'
import { ConsumerMembership } from './groups/consumer-membership.js'
import { GroupMembership, type JoinedDetails, type MembershipListener } from './groups/group-membership.js'
import type { GroupPartition } from './groups/membership-decisions.js'
import { PausedPartitions, type TopicPartitionsInput } from './groups/paused-partitions.js'
import { KeyedScheduler, PartitionProgress } from './groups/progress.js'
import { integerOption, renamedOption } from './limits.js'
import type { Message } from './message.js'
import { BrokerOffsetStore } from './offsets/broker-offset-store.js'
import type { OffsetStore, TopicPartitionOffset, TopicPartitions } from './offsets/offset-store.js'
import { offsetsForTimes } from './offsets-for-times.js'
import { listOffsets, type PartitionOffset, partitionKey } from './partition-fetcher.js'
import { resolveTopic, type TopicRef } from './topic.js'

/** Keys GroupConsumer's crash seam; exported to ./testing.ts only, never from index.ts. */
export const crashForTests: unique symbol = Symbol('GroupConsumer crash (tests only)')

export interface GroupConsumerOptions<R extends TopicRef<unknown>>
  extends Omit<ConsumerOptions<R>, 'groupId' | 'fromBeginning'> {
  readonly groupId: string
  /** Where a partition with no committed offset starts. Default 'latest'. */
  readonly autoOffsetReset?: 'earliest' | 'latest'
  /** Static membership: a restart within the session keeps the assignment without a rebalance. */
  readonly groupInstanceId?: string
  /** Defaults as GroupMembership: 10 000, 60 000, 3000. */
  readonly sessionTimeoutMs?: number
  readonly rebalanceTimeoutMs?: number
  readonly heartbeatIntervalMs?: number
  /** The member leaves when the application takes no message for this long. Default 300 000. */
  readonly maxPollIntervalMs?: number
  readonly assignors?: readonly Assignor[]
  /** Commit finished positions every `autoCommitIntervalMs` (default 5000). Default true. */
  readonly autoCommit?: boolean
  readonly autoCommitIntervalMs?: number
  /** Where committed offsets live. Default the broker (fenced by the coordinator). */
  readonly offsetStore?: OffsetStore
  /**
   * Kafka's names. 'classic' (default): JoinGroup/SyncGroup with a client-side assignor
   * (`assignors`), static membership supported. 'consumer': the broker-driven protocol
   * (ConsumerGroupHeartbeat): the coordinator assigns (uniform, sticky), members converge one
   * heartbeat at a time with no group-wide barrier; `assignors`, `groupInstanceId` and
   * `rebalanceTimeoutMs` do not apply. Needs a broker that serves API key 48.
   */
  readonly groupProtocol?: 'classic' | 'consumer'
}

/** What GroupConsumer needs of a membership, whichever protocol runs it. */
type Membership = Pick<GroupMembership, 'coordinator' | 'start' | 'assignment' | 'context' | 'poll' | 'close'>

export interface RebalanceEvent {
  readonly type: 'assigned' | 'revoked'
  readonly partitions: readonly GroupPartition[]
  /** Revoked without a commit: another member may own them already. */
  readonly lost: boolean
}

/** `rebalancing`: a join round begins (the first join, or a rebalance). */
export interface RebalancingEvent {
  readonly groupId: string
  /** Empty before the first join. */
  readonly memberId: string
  readonly reason: string
}

/** `group_join`: a join round ended with an assignment. */
export interface GroupJoinEvent extends JoinedDetails {
  /** Everything the member owns after the round. */
  readonly assignment: readonly GroupPartition[]
}

/**
 * `crash`: the consumer stopped consuming: a membership error it cannot recover from (the consumer
 * is failed: close it and make a new one), or a run() handler that threw (run() rejects with it;
 * call run() again to go on). Weir never restarts by itself, so `willRestart` is always false.
 */
export interface CrashEvent {
  readonly groupId: string
  readonly error: Error
  readonly willRestart: false
}

/** GroupConsumer events and their payloads. */
export interface GroupConsumerEvents {
  rebalance: RebalanceEvent
  rebalancing: RebalancingEvent
  group_join: GroupJoinEvent
  crash: CrashEvent
}

export interface EachMessagePayload<T> {
  readonly topic: string
  readonly partition: number
  readonly message: Message<T>
}

export interface EachBatchPayload<T> {
  readonly batch: { readonly topic: string; readonly partition: number; readonly messages: Message<T>[] }
}

export interface RunOptions<T> {
  readonly eachMessage?: (payload: EachMessagePayload<T>) => Promise<void> | void
  readonly eachBatch?: (payload: EachBatchPayload<T>) => Promise<void> | void
  /** Handlers running at once (per-key ordered; batches are per partition). Default 1. */
  readonly concurrency?: number
  /** Messages per eachBatch call at most. Default 500. */
  readonly maxBatchSize?: number
  /** @deprecated Use maxBatchSize (the new name wins when both are given). */
  readonly batchSizeMax?: number
}

function checkOffset(method: string, offset: unknown): void {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
    throw new WeirError(
      'INVALID_CONFIG',
      `${method}: offset must be an integer >= 0 (a number: Weir's offsets are numbers, KafkaJS's are strings; use Number(offset)), got ${JSON.stringify(offset)}`,
    )
}

const iterationDone: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined })

export class GroupConsumer<T> extends EventEmitter implements AsyncIterable<Message<T>> {
  readonly groupId: string
  private readonly inner: Consumer<T>
  private readonly membership: Membership
  private readonly store: OffsetStore
  private readonly resetSpec: number
  private readonly progress = new Map<string, PartitionProgress>()
  private readonly topics: ReadonlySet<string>
  private readonly pausedPartitions = new PausedPartitions()
  /** Seeks on partitions not owned when asked: applied when the partition is assigned to this member. */
  private readonly pendingSeeks = new Map<string, PartitionOffset>()
  /** Per paused partition, the lowest offset whose queued run() work was skipped: resume reads again from it. */
  private readonly skippedPaused = new Map<string, number>()
  private readonly started: Promise<void>
  private readonly pollTimer: Timer
  private autoCommitTimer: Timer | undefined
  private lastYielded: { progress: PartitionProgress; offset: number } | undefined
  private commitChain: Promise<void> = Promise.resolve()
  private waiting = 0
  /** run() handlers in progress: while any runs, waiting for data is not polling (a stuck handler must be caught). */
  private handlersRunning = 0
  private running = false
  private wakeRun: (() => void) | undefined
  private fatal: Error | undefined
  private closed = false
  private crashed = false

  constructor(
    private readonly cluster: Cluster,
    options: GroupConsumerOptions<TopicRef<unknown>>,
    clientId: string,
  ) {
    super()
    const owner = 'group consumer'
    if (typeof options.groupId !== 'string' || options.groupId.length === 0)
      throw new WeirError('INVALID_CONFIG', `${owner} option groupId must be a non-empty string`)
    const reset = options.autoOffsetReset ?? 'latest'
    if (reset !== 'earliest' && reset !== 'latest')
      throw new WeirError('INVALID_CONFIG', `${owner} option autoOffsetReset must be 'earliest' or 'latest'`)
    this.resetSpec = reset === 'earliest' ? OffsetSpec.earliest : OffsetSpec.latest
    this.groupId = options.groupId
    const {
      groupId: _groupId,
      autoOffsetReset: _reset,
      groupInstanceId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      heartbeatIntervalMs,
      maxPollIntervalMs,
      assignors,
      autoCommit,
      autoCommitIntervalMs,
      offsetStore,
      groupProtocol,
      ...fetchOptions
    } = options
    const commitIntervalMs = integerOption(owner, 'autoCommitIntervalMs', autoCommitIntervalMs, 5000, 1)
    const pollIntervalMs = integerOption(owner, 'maxPollIntervalMs', maxPollIntervalMs, 300_000, 1)
    // A fetch position the log no longer holds (retention) moves as autoOffsetReset says, as in Kafka.
    const resetOptions = { ...fetchOptions, fromBeginning: reset === 'earliest' }
    this.inner = new Consumer<T>(cluster, resetOptions, { manualAssignment: true })
    const topics = options.topics.map((ref) => resolveTopic(ref).name)
    this.topics = new Set(topics)
    const listener: MembershipListener = {
      onAssigned: (partitions) => this.onAssigned(partitions),
      onRevoked: (partitions, details) => this.onRevoked(partitions, details.lost),
      onError: (error) => this.failWith(error),
      onJoining: (reason) => this.onJoining(reason),
      onJoined: (details) => this.onJoined(details),
    }
    const protocol = groupProtocol ?? 'classic'
    if (protocol !== 'classic' && protocol !== 'consumer')
      throw new WeirError('INVALID_CONFIG', `${owner} option groupProtocol must be 'classic' or 'consumer'`)
    if (protocol === 'consumer' && (assignors !== undefined || groupInstanceId !== undefined))
      throw new WeirError(
        'INVALID_CONFIG',
        `${owner} with groupProtocol 'consumer' is assigned by the broker and has no static membership: drop assignors and groupInstanceId, or use groupProtocol 'classic'`,
      )
    this.membership =
      protocol === 'consumer'
        ? new ConsumerMembership(cluster, {
            groupId: options.groupId,
            topics,
            clientId,
            listener,
            ...(sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs }),
            ...(heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs }),
            maxPollIntervalMs: pollIntervalMs,
          })
        : new GroupMembership(cluster, {
            groupId: options.groupId,
            topics,
            clientId,
            listener,
            ...(groupInstanceId === undefined ? {} : { groupInstanceId }),
            ...(sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs }),
            ...(rebalanceTimeoutMs === undefined ? {} : { rebalanceTimeoutMs }),
            ...(heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs }),
            ...(assignors === undefined ? {} : { assignors }),
            maxPollIntervalMs: pollIntervalMs,
          })
    this.store = offsetStore ?? new BrokerOffsetStore(cluster)
    if (this.store instanceof BrokerOffsetStore) this.store.adopt(this.membership.coordinator)
    // While the application waits for messages it is polling: keep the poll deadline fresh. In
    // run(), only while no handler runs: otherwise a stuck handler would never be caught.
    this.pollTimer = this.cluster.environment.timers.setInterval(
      () => {
        if (this.waiting > 0 && this.handlersRunning === 0) this.membership.poll()
      },
      Math.max(1, Math.min(1000, Math.floor(pollIntervalMs / 4))),
    )
    this.pollTimer.unref()
    if (autoCommit ?? true) {
      this.autoCommitTimer = this.cluster.environment.timers.setInterval(
        () => void this.commit().catch(() => undefined),
        commitIntervalMs,
      )
      this.autoCommitTimer.unref()
    }
    this.started = this.membership.start()
    this.started.catch(() => undefined)
  }

  /** Resolves once the member has joined and received its first assignment. */
  async ready(): Promise<void> {
    await this.started
  }

  /** The partitions this member owns now. */
  assignment(): GroupPartition[] {
    return this.membership.assignment()
  }

  /** The member's generation, member id and instance id; undefined before the first join. */
  context() {
    return this.membership.context()
  }

  /** Commits, for every owned partition, the position below which every message is finished. */
  commit(): Promise<void> {
    return this.commitEntries([...this.progress.values()])
  }

  /** The next position a commit would store for a partition (undefined when not owned). */
  committable(topic: string, partition: number): number | undefined {
    return this.progress.get(partitionKey(topic, partition))?.commitPoint()
  }

  override on<E extends keyof GroupConsumerEvents>(
    event: E,
    listener: (event: GroupConsumerEvents[E]) => void,
  ): this
  override on(event: string | symbol, listener: (...args: never[]) => void): this
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void)
  }

  /**
   * Stops fetching these partitions (`{ topic }` alone: all of the topic's, including ones
   * assigned later); records already fetched for them are dropped and fetched again on resume.
   * They stay assigned (and stay paused across rebalances) until resumed.
   */
  pause(topicPartitions: readonly TopicPartitionsInput[]): void {
    this.assertOpen()
    this.checkTopicPartitions('pause', topicPartitions)
    this.pausedPartitions.pause(topicPartitions)
    this.inner.pause(
      this.assignment().filter((owned) => this.pausedPartitions.isPaused(owned.topic, owned.partition)),
    )
  }

  /** Fetches paused partitions again, from where their application left off. */
  resume(topicPartitions: readonly TopicPartitionsInput[]): void {
    this.assertOpen()
    this.checkTopicPartitions('resume', topicPartitions)
    const assigned = this.assignment()
    this.pausedPartitions.resume(topicPartitions, assigned)
    const resumed = assigned.filter((owned) => !this.pausedPartitions.isPaused(owned.topic, owned.partition))
    for (const { topic, partition } of resumed) {
      const key = partitionKey(topic, partition)
      const skipped = this.skippedPaused.get(key)
      this.skippedPaused.delete(key)
      if (skipped !== undefined) this.seek({ topic, partition, offset: skipped })
    }
    this.inner.resume(resumed)
  }

  /**
   * run() pulls a few messages ahead of its handlers: those of a partition paused meanwhile are
   * not handed over but skipped (uncommitted), and resume() reads the partition again from the
   * first skipped one, so pause() holds back every message not yet handed to a handler.
   */
  private skippedWhilePaused(progress: PartitionProgress, offset: number): boolean {
    if (!this.pausedPartitions.isPaused(progress.topic, progress.partition)) return false
    progress.abandon(offset)
    const key = partitionKey(progress.topic, progress.partition)
    const lowest = this.skippedPaused.get(key)
    if (lowest === undefined || offset < lowest) this.skippedPaused.set(key, offset)
    return true
  }

  /** The owned partitions that are paused, per topic. */
  paused(): Array<{ topic: string; partitions: number[] }> {
    return this.pausedPartitions.list(this.assignment())
  }

  /**
   * Reads a partition from `offset` next (a number; KafkaJS takes a string). Records fetched for it
   * are dropped, queued handler calls for its old position are skipped, and the next commit stores
   * the new position. On a partition this member does not own now (before its first assignment or
   * during a rebalance) the seek is kept and applied when the partition is assigned to it, instead
   * of its committed offset; if the group gives the partition to another member, it does not apply.
   */
  seek(target: PartitionOffset): void {
    this.assertOpen()
    const { topic, partition, offset } = target
    this.checkTopicPartitions('seek', [{ topic, partitions: [partition] }])
    checkOffset('seek', offset)
    const key = partitionKey(topic, partition)
    this.skippedPaused.delete(key)
    const current = this.progress.get(key)
    if (current === undefined || current.revoked) {
      this.pendingSeeks.set(key, { topic, partition, offset })
      return
    }
    current.revoked = true
    const moved = new PartitionProgress(topic, partition, offset)
    moved.committed = -1
    this.progress.set(key, moved)
    if (this.lastYielded?.progress === current) this.lastYielded = undefined
    this.inner.seek({ topic, partition, offset })
  }

  /** Seeks each partition to its first record at or after `timestamp` (ms since the epoch); the
   *  log end when none is that new. Resolves with the offsets it moved to. */
  async seekToTimestamp(target: {
    readonly topic: string
    readonly partitions?: readonly number[]
    readonly timestamp: number
  }): Promise<PartitionOffset[]> {
    this.assertOpen()
    this.checkTopicPartitions('seekToTimestamp', [target])
    const partitions =
      target.partitions?.map((partition) => ({ topic: target.topic, partition })) ??
      this.assignment().filter((owned) => owned.topic === target.topic)
    const offsets = await offsetsForTimes(this.cluster, partitions, target.timestamp)
    if (!this.closed) for (const offset of offsets) this.seek(offset)
    return offsets
  }

  /**
   * Commits these positions now (`offset` is the next to read: last processed + 1, as Kafka),
   * fenced by the coordinator like every commit. With autoCommit on, a later automatic commit may
   * move a partition on past what was given here: turn autoCommit off to commit only explicitly.
   */
  commitOffsets(offsets: readonly PartitionOffset[]): Promise<void> {
    this.assertOpen()
    if (!Array.isArray(offsets))
      throw new WeirError('INVALID_CONFIG', 'commitOffsets takes an array of { topic, partition, offset }')
    for (const { topic, partition, offset } of offsets) {
      this.checkTopicPartitions('commitOffsets', [{ topic, partitions: [partition] }])
      checkOffset('commitOffsets', offset)
    }
    const entries = offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset }))
    const run = this.commitChain
      .catch(() => undefined)
      .then(async () => {
        if (entries.length === 0) return
        await this.store.commit(this.groupId, entries, this.membership.context())
        for (const { topic, partition, offset } of entries) {
          const progress = this.progress.get(partitionKey(topic, partition))
          if (progress !== undefined) progress.committed = offset
        }
      })
    this.commitChain = run
    return run
  }

  private checkTopicPartitions(method: string, entries: readonly TopicPartitionsInput[]): void {
    if (!Array.isArray(entries))
      throw new WeirError('INVALID_CONFIG', `${method} takes an array of { topic, partitions? }`)
    for (const { topic, partitions } of entries) {
      if (!this.topics.has(topic))
        throw new WeirError(
          'UNKNOWN_TOPIC',
          `${method}: the consumer of group ${this.groupId} does not read topic ${topic}; it reads ${[...this.topics].join(', ')}`,
        )
      for (const partition of partitions ?? [])
        if (!Number.isInteger(partition) || partition < 0)
          throw new WeirError(
            'INVALID_CONFIG',
            `${method}: partition ${String(partition)} of ${topic} must be an integer >= 0`,
          )
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new WeirError('CLIENT_CLOSED', 'the group consumer is closed')
  }

  private onJoining(reason: string): void {
    const memberId = this.membership.context()?.memberId ?? ''
    this.cluster.instrumentation.logger.info(
      { groupId: this.groupId, memberId, reason },
      'joining consumer group',
    )
    // The first join starts inside the constructor: listeners attached right after it still hear it.
    const event: RebalancingEvent = { groupId: this.groupId, memberId, reason }
    queueMicrotask(() => this.report('rebalancing', event))
  }

  private onJoined(details: JoinedDetails): void {
    this.cluster.instrumentation.logger.info(
      { ...details, partitions: this.assignment().length },
      'joined consumer group',
    )
    this.report('group_join', { ...details, assignment: this.assignment() })
  }

  /** Emits an instrumentation event; a listener that throws is logged, never let into the membership loop. */
  private report<E extends 'rebalancing' | 'group_join' | 'crash'>(
    event: E,
    payload: GroupConsumerEvents[E],
  ): void {
    try {
      this.emit(event, payload)
    } catch (error) {
      this.cluster.instrumentation.logger.error(
        { groupId: this.groupId, event, err: error },
        `a listener of group consumer event ${event} threw`,
      )
    }
  }

  private reportCrash(error: Error): void {
    this.cluster.instrumentation.logger.error({ groupId: this.groupId, err: error }, 'group consumer crashed')
    this.report('crash', { groupId: this.groupId, error, willRestart: false })
  }

  [Symbol.asyncIterator](): AsyncIterator<Message<T>> {
    return {
      next: () => this.next(),
      // Leaving the loop leaves the last message unfinished: it is delivered again, not committed.
      return: async () => {
        const last = this.lastYielded
        this.lastYielded = undefined
        if (last !== undefined && !last.progress.revoked && !this.closed) {
          last.progress.rewind(last.offset)
          this.inner.seek({
            topic: last.progress.topic,
            partition: last.progress.partition,
            offset: last.offset,
          })
        }
        return iterationDone
      },
    }
  }

  /** The next message; the previous one yielded counts as finished. */
  next(): Promise<IteratorResult<Message<T>, undefined>> {
    if (this.running)
      return Promise.reject(
        new WeirError('INVALID_CONFIG', 'the consumer is in run(): do not iterate it as well'),
      )
    const last = this.lastYielded
    if (last !== undefined) {
      this.lastYielded = undefined
      last.progress.finish(last.offset)
    }
    return this.nextWaiting()
  }

  private async nextWaiting(): Promise<IteratorResult<Message<T>, undefined>> {
    for (;;) {
      const message = await this.pull()
      if (message === undefined) return iterationDone
      const progress = this.accept(message)
      if (progress === undefined) continue
      this.lastYielded = { progress, offset: message.offset }
      return { done: false, value: message }
    }
  }

  /** The next buffered message, waiting for one; undefined once closed or stopped; throws when failed. */
  private async pull(stopped?: () => boolean): Promise<Message<T> | undefined> {
    for (;;) {
      if (this.fatal) throw this.fatal
      if (this.closed || stopped?.()) return undefined
      const message = this.inner.takeBuffered()
      // Taking a message is a poll; so is waiting, unless a run() handler is still busy.
      if (message !== undefined || this.handlersRunning === 0) this.membership.poll()
      if (message !== undefined) return message
      this.waiting++
      try {
        await new Promise<void>((resolve) => {
          this.wakeRun = resolve
          void this.inner.waitForData().then(resolve)
        })
      } finally {
        this.waiting--
        this.wakeRun = undefined
      }
    }
  }

  /** Records a message as delivered; undefined when its partition is not (or no longer) owned. */
  private accept(message: Message<T>): PartitionProgress | undefined {
    const progress = this.progress.get(partitionKey(message.topic, message.partition))
    if (progress === undefined || progress.revoked || message.offset < progress.nextOffset) return undefined
    progress.deliver(message.offset)
    return progress
  }

  /**
   * Runs handlers until the consumer closes; rejects with the first handler error (that message is
   * not committed; close() then commits what finished) or a fatal membership error.
   */
  async run(options: RunOptions<T>): Promise<void> {
    const { eachMessage, eachBatch } = options
    if ((eachMessage === undefined) === (eachBatch === undefined))
      throw new WeirError('INVALID_CONFIG', 'run needs exactly one of eachMessage and eachBatch')
    if (this.running) throw new WeirError('INVALID_CONFIG', 'run() is already running')
    const concurrency = integerOption('run', 'concurrency', options.concurrency, 1, 1, 10_000)
    const batchSizeMax = integerOption(
      'run',
      ...renamedOption(options, 'maxBatchSize', 'batchSizeMax'),
      500,
      1,
    )
    this.running = true
    let failure: { error: unknown } | undefined
    const scheduler = new KeyedScheduler(concurrency, (error) => {
      failure ??= { error }
      this.wakeRun?.()
    })
    const stopped = () => failure !== undefined
    const outstandingMax = eachBatch === undefined ? concurrency * 4 : concurrency
    try {
      while (!stopped()) {
        await scheduler.below(outstandingMax)
        const first = await this.pull(stopped)
        if (first === undefined) break
        if (eachMessage !== undefined) {
          this.submitMessage(scheduler, first, eachMessage)
          continue
        }
        const batches = new Map<string, { progress: PartitionProgress; messages: Message<T>[] }>()
        let count = 0
        for (let message: Message<T> | undefined = first; message !== undefined; ) {
          const progress = this.accept(message)
          if (progress !== undefined) {
            const key = partitionKey(message.topic, message.partition)
            let batch = batches.get(key)
            if (batch === undefined) batches.set(key, (batch = { progress, messages: [] }))
            batch.messages.push(message)
          }
          if (++count >= batchSizeMax) break
          message = this.inner.takeBuffered()
        }
        for (const [key, batch] of batches) this.submitBatch(scheduler, key, batch, eachBatch!)
      }
    } finally {
      await scheduler.below(1)
      this.running = false
    }
    if (failure !== undefined) {
      this.reportCrash(failure.error instanceof Error ? failure.error : new Error(String(failure.error)))
      throw failure.error
    }
  }

  private submitMessage(
    scheduler: KeyedScheduler,
    message: Message<T>,
    eachMessage: NonNullable<RunOptions<T>['eachMessage']>,
  ): void {
    const progress = this.accept(message)
    if (progress === undefined) return
    const key =
      message.key === null
        ? undefined
        : `${partitionKey(message.topic, message.partition)}\u0000${message.key}`
    const offset = message.offset
    scheduler.submit(key, async () => {
      if (progress.revoked || this.crashed) return progress.abandon(offset)
      if (this.skippedWhilePaused(progress, offset)) return
      try {
        await this.handling(() =>
          eachMessage({ topic: message.topic, partition: message.partition, message }),
        )
      } catch (error) {
        progress.abandon(offset)
        throw error
      }
      progress.finish(offset)
    })
  }

  private submitBatch(
    scheduler: KeyedScheduler,
    key: string,
    batch: { progress: PartitionProgress; messages: Message<T>[] },
    eachBatch: NonNullable<RunOptions<T>['eachBatch']>,
  ): void {
    const { progress, messages } = batch
    const finishAll = () => {
      for (const message of messages) progress.finish(message.offset)
    }
    const abandonAll = () => {
      for (const message of messages) progress.abandon(message.offset)
    }
    scheduler.submit(key, async () => {
      if (progress.revoked || this.crashed) return abandonAll()
      if (messages.length > 0 && this.skippedWhilePaused(progress, messages[0]!.offset)) {
        for (const message of messages.slice(1)) progress.abandon(message.offset)
        return
      }
      try {
        await this.handling(() =>
          eachBatch({ batch: { topic: progress.topic, partition: progress.partition, messages } }),
        )
      } catch (error) {
        abandonAll()
        throw error
      }
      finishAll()
    })
  }

  /** Runs one handler call; its end counts as a poll (a member evicted meanwhile rejoins). */
  private async handling(handler: () => Promise<void> | void): Promise<void> {
    this.handlersRunning++
    try {
      await handler()
    } finally {
      this.handlersRunning--
      if (!this.closed) this.membership.poll()
    }
  }

  /** Commits what is finished, leaves the group (a static member does not), stops fetching. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.stopTimers()
    this.wakeRun?.()
    const last = this.lastYielded
    if (last !== undefined) {
      // close() from inside the loop body: that message is not finished.
      this.lastYielded = undefined
      last.progress.abandon(last.offset)
    }
    await this.membership.close().catch(() => undefined)
    await this.commitChain.catch(() => undefined)
    await this.inner.close()
  }

  /**
   * Behaves like a killed process: heartbeats, fetching and commits stop at once without a
   * LeaveGroup or a final commit; the group notices after the session timeout. Tests only: keyed by
   * a symbol that index.ts does not export, reached through `crashGroupConsumer` in
   * `@weir/client/testing`.
   */
  [crashForTests](): void {
    if (this.closed) return
    this.crashed = true
    this.closed = true
    this.stopTimers()
    this.wakeRun?.()
    void this.membership.close({ leave: false }).catch(() => undefined)
    void this.inner.close()
  }

  private stopTimers(): void {
    this.cluster.environment.timers.clear(this.pollTimer)
    if (this.autoCommitTimer !== undefined) this.cluster.environment.timers.clear(this.autoCommitTimer)
    this.autoCommitTimer = undefined
  }

  private async onAssigned(partitions: readonly GroupPartition[]): Promise<void> {
    if (this.crashed) return
    const byTopic = new Map<string, number[]>()
    for (const { topic, partition } of partitions) {
      const list = byTopic.get(topic) ?? []
      list.push(partition)
      byTopic.set(topic, list)
    }
    const request: TopicPartitions[] = [...byTopic].map(([topic, list]) => ({ topic, partitions: list }))
    const committed = await this.store.fetch(this.groupId, request)
    const missing = partitions.filter(
      (entry) => committed.get(entry.topic)?.get(entry.partition) === undefined,
    )
    const reset = missing.length === 0 ? [] : await listOffsets(this.cluster, missing, this.resetSpec)
    const resetOf = new Map(
      missing.map((entry, index) => [partitionKey(entry.topic, entry.partition), reset[index]!]),
    )
    if (this.closed) return
    const assigned = partitions.map(({ topic, partition }) => {
      const key = partitionKey(topic, partition)
      const sought = this.pendingSeeks.get(key)?.offset
      this.pendingSeeks.delete(key)
      const offset = sought ?? committed.get(topic)?.get(partition) ?? resetOf.get(key)!
      const progress = new PartitionProgress(topic, partition, offset)
      // A seek's position is committed at the next commit, as after a seek on an owned partition.
      if (sought !== undefined) progress.committed = -1
      this.progress.set(key, progress)
      return { topic, partition, offset }
    })
    this.inner.assignPartitions(assigned)
    const paused = partitions.filter(({ topic, partition }) =>
      this.pausedPartitions.isPaused(topic, partition),
    )
    if (paused.length > 0) this.inner.pause(paused)
    this.emit('rebalance', { type: 'assigned', partitions, lost: false } satisfies RebalanceEvent)
  }

  private async onRevoked(partitions: readonly GroupPartition[], lost: boolean): Promise<void> {
    const entries: PartitionProgress[] = []
    for (const { topic, partition } of partitions) {
      // Its next owner (maybe this member again) starts from the commit, which stays below skipped work.
      this.skippedPaused.delete(partitionKey(topic, partition))
      const entry = this.progress.get(partitionKey(topic, partition))
      if (entry === undefined) continue
      entry.revoked = true
      entries.push(entry)
    }
    this.inner.revokePartitions(partitions)
    if (
      this.lastYielded !== undefined &&
      entries.includes(this.lastYielded.progress) &&
      (lost || this.crashed)
    )
      this.lastYielded = undefined
    if (!lost && !this.crashed) {
      await Promise.all(entries.map((entry) => entry.idle()))
      await this.commitEntries(entries).catch(() => undefined)
    }
    for (const entry of entries) {
      const key = partitionKey(entry.topic, entry.partition)
      if (this.progress.get(key) === entry) this.progress.delete(key)
    }
    this.emit('rebalance', { type: 'revoked', partitions, lost } satisfies RebalanceEvent)
  }

  private commitEntries(entries: readonly PartitionProgress[]): Promise<void> {
    const run = this.commitChain
      .catch(() => undefined)
      .then(async () => {
        if (this.crashed) return
        const offsets: TopicPartitionOffset[] = []
        const moved: Array<{ entry: PartitionProgress; point: number }> = []
        for (const entry of entries) {
          const point = entry.commitPoint()
          if (point <= entry.committed) continue
          offsets.push({ topic: entry.topic, partition: entry.partition, offset: point })
          moved.push({ entry, point })
        }
        if (offsets.length === 0) return
        await this.store.commit(this.groupId, offsets, this.membership.context())
        for (const { entry, point } of moved) if (point > entry.committed) entry.committed = point
      })
    this.commitChain = run
    return run
  }

  private failWith(error: Error): void {
    if (this.fatal !== undefined || this.closed) return
    this.fatal = error
    this.reportCrash(error)
    this.inner.fail(
      error instanceof WeirError
        ? error
        : new WeirError('UNKNOWN_SERVER_ERROR', error.message, { cause: error }),
    )
    this.wakeRun?.()
  }
}
