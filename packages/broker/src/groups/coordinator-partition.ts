// The I/O shell around one pure GroupCoordinator: the groups of one __consumer_offsets partition.
// Every input runs the coordinator at once, takes its output and starts the append of its records
// (appends queue in call order, so concurrent commits share an fsync); the output's responses are
// sent only once that append is durable, and outputs are answered in the order they were made.
// One timer is armed at the coordinator's nextDeadlineMs(). If an append fails, that output is
// answered with the storage error, and once everything before it settled the partition reloads
// from its log (memory was ahead of it); meanwhile requests get COORDINATOR_LOAD_IN_PROGRESS.
//
// Compaction: once the log holds more dead records than `compactionRecordsMin` and than live
// keys, every live record is appended again as a snapshot, and when that is durable the log start
// moves to the snapshot's first offset. A crash in between is harmless: a rebuild replays from the
// log start, and the snapshot repeats values already there, followed by anything newer.
import { type ErrorName, type Timer, type Timers, WeirError } from '@weir/protocol'
import type { Logger } from 'pino'
import { GroupCoordinator, type GroupCoordinatorOptions } from './group-coordinator.js'
import type { GroupLog } from './group-log.js'
import type { GroupOutput, RequestId } from './group-output.js'
import type { GroupLogRecord } from './group-records.js'
import { isLeadershipMove } from './leadership-moved.js'
import { encodeGroupBatches, LatestRecords, readGroupRecords } from './offsets-log.js'
import { type GroupApi, heldRequestError, type ResponseOf, withError } from './response-errors.js'

export type { GroupLog } from './group-log.js'

export interface CoordinatorPartitionOptions {
  readonly partition: number
  readonly log: GroupLog
  readonly coordinator: GroupCoordinatorOptions
  /** Dead records the log may hold before a snapshot is written (also: more than live keys). */
  readonly compactionRecordsMin: number
  readonly logger: Logger
  readonly now: () => number
  readonly timers: Timers
}

type PartitionState = 'loading' | 'active' | 'closed'

interface Waiter {
  readonly api: GroupApi
  readonly resolve: (response: unknown) => void
}

/** A retry of a failed load waits this long. */
const loadRetryMs = 1000
/** setTimeout's largest delay. */
const timerDelayMsMax = 2 ** 31 - 1

export class CoordinatorPartition {
  private state: PartitionState = 'loading'
  private coordinator: GroupCoordinator | undefined
  private readonly waiters = new Map<RequestId, Waiter>()
  private nextRequestId = 1
  /** Settles once every output made so far is answered. */
  private answered: Promise<void> = Promise.resolve()
  private timer: Timer | undefined
  private timerAtMs: number | undefined
  private latest = new LatestRecords()
  private compacting: Promise<void> | undefined
  readonly loaded: Promise<void>
  private markLoaded: () => void = () => {}

  constructor(private readonly options: CoordinatorPartitionOptions) {
    this.loaded = new Promise((resolve) => (this.markLoaded = resolve))
  }

  get partition(): number {
    return this.options.partition
  }

  get isActive(): boolean {
    return this.state === 'active'
  }

  /** Read-only access for the host (hold budgets, tests); undefined while loading. */
  get groups(): GroupCoordinator | undefined {
    return this.state === 'active' ? this.coordinator : undefined
  }

  /** Rebuilds the coordinator from the log; retried every loadRetryMs until it works or closes. */
  async load(): Promise<void> {
    const { log, logger, partition } = this.options
    if (this.state === 'closed') return
    try {
      const records = await readGroupRecords(log)
      // close() may have run while the log was read.
      if ((this.state as PartitionState) === 'closed') return
      this.coordinator = GroupCoordinator.load(records, this.options.now(), this.options.coordinator)
      this.latest = new LatestRecords()
      this.latest.apply(records)
      this.state = 'active'
      logger.debug(
        { partition, records: records.length, groups: this.coordinator.groupCount },
        'groups loaded',
      )
      this.markLoaded()
      this.arm()
      this.maybeCompact()
    } catch (error) {
      logger.error({ err: error, partition }, `loading groups failed; retrying in ${loadRetryMs} ms`)
      this.timer = this.options.timers.setTimeout(() => void this.load(), loadRetryMs)
    }
  }

  /**
   * Hands one request to the coordinator; resolves with its response once any records it wrote are
   * durable. Errors: COORDINATOR_LOAD_IN_PROGRESS while loading, BROKER_SHUTTING_DOWN once closed.
   */
  submit<Api extends GroupApi>(
    api: Api,
    input: (coordinator: GroupCoordinator, requestId: RequestId, nowMs: number) => void,
  ): Promise<ResponseOf<Api>> {
    const refusal = this.refusal()
    if (refusal !== undefined) return Promise.reject(refusal)
    const requestId = this.nextRequestId++
    const answer = new Promise<ResponseOf<Api>>((resolve) =>
      this.waiters.set(requestId, { api, resolve: resolve as (response: unknown) => void }),
    )
    input(this.coordinator!, requestId, this.options.now())
    this.flush()
    return answer
  }

  /** Runs a coordinator input that answers no request (partitionsGrew). */
  run(input: (coordinator: GroupCoordinator, nowMs: number) => void): void {
    if (this.state !== 'active') return
    input(this.coordinator!, this.options.now())
    this.flush()
  }

  private refusal(): WeirError | undefined {
    if (this.state === 'closed') return new WeirError('BROKER_SHUTTING_DOWN', 'the broker is closing')
    if (this.state === 'loading')
      return new WeirError(
        'COORDINATOR_LOAD_IN_PROGRESS',
        `partition ${this.options.partition} of __consumer_offsets is loading`,
      )
    return undefined
  }

  /** Takes the coordinator's output: append its records now, answer once they are durable. */
  private flush(): void {
    const output = this.coordinator!.takeOutput()
    for (const event of output.events) this.options.logger.info({ ...event }, `group ${event.type}`)
    const appended = this.append(output.records)
    this.answered = this.answered
      .then(() => appended)
      .then(
        () => this.deliver(output),
        (error: unknown) => this.appendFailed(output, error),
      )
    this.arm()
    this.maybeCompact()
  }

  private append(records: readonly GroupLogRecord[]): Promise<unknown> {
    if (records.length === 0) return Promise.resolve()
    this.latest.apply(records)
    const batches = encodeGroupBatches(records, this.options.now())
    // Called in one go: the log queues them back to back, before any later output's records.
    return Promise.all(batches.map((batch) => this.options.log.append(batch)))
  }

  private deliver(output: GroupOutput): void {
    for (const answer of output.responses) {
      const waiter = this.waiters.get(answer.requestId)
      this.waiters.delete(answer.requestId)
      waiter?.resolve(answer.response)
    }
  }

  private appendFailed(output: GroupOutput, error: unknown): void {
    const code: ErrorName = error instanceof WeirError ? error.code : 'STORAGE_ERROR'
    const detail = `storing group records in partition ${this.options.partition} of __consumer_offsets failed`
    const { logger, partition } = this.options
    // A leader change is routine (its coordinator moves with it): no alarm, no stack trace.
    if (isLeadershipMove(error))
      logger.info({ partition, reason: (error as Error).message }, `${detail}: leadership moved; reloading`)
    else logger.error({ err: error, partition }, `${detail}; reloading`)
    this.deliver({ ...output, responses: output.responses.map((answer) => withError(answer, code, detail)) })
    if (this.state !== 'active') return
    this.state = 'loading'
    this.disarm()
    // After every output already made is answered: their appends have settled, so the log is final.
    this.answered = this.answered.then(() => {
      this.releaseHeld('NOT_COORDINATOR', 'the coordinator reloaded its groups; find it and join again')
      return this.load()
    })
  }

  /** Answers every request the coordinator still holds (JoinGroup, SyncGroup) with an error. */
  private releaseHeld(code: ErrorName, detail: string): void {
    for (const [requestId, waiter] of this.waiters) {
      this.waiters.delete(requestId)
      waiter.resolve(heldRequestError(waiter.api, code, detail))
    }
  }

  /** One timer, at the coordinator's next deadline; re-armed after every input. */
  private arm(): void {
    const deadline = this.state === 'active' ? this.coordinator!.nextDeadlineMs() : undefined
    if (deadline === this.timerAtMs && (deadline === undefined || this.timer !== undefined)) return
    this.disarm()
    if (deadline === undefined) return
    this.timerAtMs = deadline
    const delayMs = Math.min(timerDelayMsMax, Math.max(0, deadline - this.options.now()))
    this.timer = this.options.timers.setTimeout(() => this.onTimer(), delayMs)
  }

  private disarm(): void {
    this.options.timers.clear(this.timer)
    this.timer = undefined
    this.timerAtMs = undefined
  }

  private onTimer(): void {
    this.timer = undefined
    this.timerAtMs = undefined
    if (this.state !== 'active') return
    this.coordinator!.tick(this.options.now())
    this.flush()
  }

  private maybeCompact(): void {
    if (this.compacting !== undefined || this.state !== 'active') return
    const { log } = this.options
    const live = this.latest.size
    const dead = log.logEndOffset - log.logStartOffset - live
    if (dead <= Math.max(this.options.compactionRecordsMin, live)) return
    this.compacting = this.compact().finally(() => {
      this.compacting = undefined
    })
  }

  /** Appends the live records as a snapshot, then moves the log start to its first offset. */
  private async compact(): Promise<void> {
    const { log, logger, partition } = this.options
    const records = this.latest.records()
    const startBefore = log.logStartOffset
    try {
      // Enqueued synchronously, so no later record lands between snapshot batches.
      const appends = encodeGroupBatches(records, this.options.now()).map((batch) => log.append(batch))
      const endBefore = log.logEndOffset
      const results = await Promise.all(appends)
      await log.truncatePrefix(results[0]?.baseOffset ?? endBefore)
      logger.info(
        { partition, liveRecords: records.length, logStartOffset: log.logStartOffset, startBefore },
        'compacted __consumer_offsets partition',
      )
    } catch (error) {
      if (isLeadershipMove(error))
        logger.info({ partition, reason: (error as Error).message }, 'compaction stopped: leadership moved')
      else logger.error({ err: error, partition }, 'compacting __consumer_offsets failed; will retry')
    }
  }

  /** Stops: waits for answers already on their way, then lets held requests go with `code`. */
  async close(code: ErrorName, detail: string): Promise<void> {
    this.state = 'closed'
    this.disarm()
    await this.answered
    await this.compacting
    this.releaseHeld(code, detail)
    this.markLoaded()
  }
}
