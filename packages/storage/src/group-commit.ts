// When an append counts as durable under the log's fsync policy. With 'always', appends wait for
// an fsync that started after their write finished, and every append waiting when an fsync starts
// shares it (group commit): one fsync per round, however many producers.
import { nodeTimers, type Timer, type Timers, type WeirError } from '@weir/protocol'
import type { FsyncPolicy } from './log-config.js'
import { type SyncScheduler, syncAlone } from './sync-rounds.js'

interface Waiter {
  readonly endOffset: number
  readonly resolve: () => void
  readonly reject: (error: WeirError) => void
}

export interface SyncTarget {
  /**
   * fsyncs the log's written data, rolled segments still being flushed included; resolves with
   * the end offset the fsync covered.
   */
  sync(): Promise<number>
  /** Turns an fsync failure into the typed error waiters receive. */
  toError(error: unknown): WeirError
}

export class GroupCommit {
  /** Offsets below this are on stable storage. */
  syncedEndOffset: number
  private waiters: Waiter[] = []
  private running: Promise<void> | undefined
  private timer: Timer | undefined
  failure: WeirError | undefined

  constructor(
    private readonly policy: FsyncPolicy,
    private readonly target: SyncTarget,
    initialEndOffset: number,
    /** Other logs' fsyncs this log's rounds line up with (group commit across partitions). */
    private readonly scheduler: SyncScheduler = syncAlone,
    /** Runs the interval policy's fsync timer. */
    private readonly timers: Pick<Timers, 'setInterval' | 'clear'> = nodeTimers,
  ) {
    this.syncedEndOffset = initialEndOffset
    if (typeof policy === 'number') {
      this.timer = timers.setInterval(() => this.kick({ evenWithoutWaiters: true }), policy)
      this.timer.unref()
    }
  }

  /** Resolves when data written up to `endOffset` is as durable as the policy promises. */
  written(endOffset: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    if (this.policy !== 'always' || endOffset <= this.syncedEndOffset) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.waiters.push({ endOffset, resolve, reject })
      this.kick()
    })
  }

  /** Everything below `endOffset` was made durable by someone else (a segment roll, a flush). */
  markSynced(endOffset: number): void {
    if (endOffset > this.syncedEndOffset) this.syncedEndOffset = endOffset
    this.release()
  }

  /**
   * Something outside the sync rounds (a background flush, undoing a failed write) failed in a way
   * that leaves unflushed data untrustworthy: waiting appends and every later call fail.
   */
  fail(error: WeirError): void {
    this.failure ??= error
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure)
  }

  /** The log was cut back to `endOffset`. */
  truncated(endOffset: number): void {
    if (endOffset < this.syncedEndOffset) this.syncedEndOffset = endOffset
  }

  /** Waits for the fsync in flight, if any. */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }

  /** Starts a sync round now, whether or not anyone waits, and waits for it. */
  async syncNow(): Promise<void> {
    await this.idle()
    this.kick({ evenWithoutWaiters: true })
    await this.idle()
    if (this.failure) throw this.failure
  }

  stop(): void {
    this.timers.clear(this.timer)
    this.timer = undefined
  }

  /** Starts a sync round unless one runs; only for waiters unless `evenWithoutWaiters`. */
  private kick(options: { evenWithoutWaiters?: boolean } = {}): void {
    if (this.running || this.failure) return
    if (this.waiters.length === 0 && !options.evenWithoutWaiters) return
    this.running = this.loop().finally(() => {
      this.running = undefined
      // A waiter that came after the loop's last look, while `running` was still set, was not
      // kicked: it gets its round now rather than waiting for the next append.
      this.kick()
    })
  }

  private async loop(): Promise<void> {
    do {
      try {
        this.markSynced(await this.scheduler.join(() => this.target.sync()))
      } catch (error) {
        // After a failed fsync the kernel may have dropped the dirty pages: nothing written since
        // the last good fsync can be trusted, so the log stops taking writes until it is reopened.
        this.fail(this.target.toError(error))
        return
      }
    } while (this.waiters.length > 0)
  }

  private release(): void {
    let released = 0
    while (released < this.waiters.length && this.waiters[released]!.endOffset <= this.syncedEndOffset) {
      this.waiters[released]!.resolve()
      released++
    }
    if (released > 0) this.waiters.splice(0, released)
  }
}
