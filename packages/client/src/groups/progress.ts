// Pure bookkeeping of a group consumer, no I/O: which delivered messages of a partition are still
// unfinished (so the commit point never passes one), and a per-key ordered scheduler that runs
// messages of different keys in parallel while each key's messages run one after another.

/**
 * One partition's progress. Offsets are delivered in increasing order; they finish in any order.
 * The commit point (the next offset to read after a restart) is the lowest unfinished offset, or
 * the offset after the last delivered one when nothing is unfinished.
 */
export class PartitionProgress {
  /** Delivered offsets, in delivery order, from the first possibly unfinished one. */
  private readonly pending: number[] = []
  private head = 0
  private readonly finished = new Set<number>()
  private next: number
  /** Offsets given up without finishing (a revoked partition's queued work): the point stays below them. */
  private abandonedMin = Number.POSITIVE_INFINITY
  private idleWaiters: Array<() => void> = []
  /** The last position committed (or fetched from the store at assignment). */
  committed: number
  /** Set when the partition is being revoked: queued work for it is abandoned, not started. */
  revoked = false

  constructor(
    readonly topic: string,
    readonly partition: number,
    start: number,
  ) {
    this.next = start
    this.committed = start
  }

  /** The lowest offset that may be delivered next. */
  get nextOffset(): number {
    return this.next
  }

  /** Delivered messages not yet finished or abandoned. */
  get inFlight(): number {
    return this.pending.length - this.head - this.finished.size
  }

  /** A message handed to the application. */
  deliver(offset: number): void {
    if (offset < this.next)
      throw new RangeError(
        `offset ${offset} delivered after ${this.next - 1} on ${this.topic}/${this.partition}`,
      )
    this.pending.push(offset)
    this.next = offset + 1
  }

  /** The application finished the message at `offset`. */
  finish(offset: number): void {
    if (this.pending[this.head] === offset) {
      this.head++
      while (this.head < this.pending.length && this.finished.delete(this.pending[this.head]!)) this.head++
      this.compact()
    } else this.finished.add(offset)
    this.notifyIfIdle()
  }

  /** The message at `offset` will not be finished (not started before a revoke); it stays uncommitted. */
  abandon(offset: number): void {
    if (offset < this.abandonedMin) this.abandonedMin = offset
    this.finish(offset)
  }

  /** The for-await loop left with `offset` unfinished: it is delivered again from `offset`. */
  rewind(offset: number): void {
    const index = this.pending.lastIndexOf(offset)
    if (index >= this.head) this.pending.splice(index)
    if (this.head > this.pending.length) this.head = this.pending.length
    this.finished.delete(offset)
    this.next = offset
    this.notifyIfIdle()
  }

  /** The next offset to read after a restart: nothing below it is unfinished. */
  commitPoint(): number {
    const point = this.head < this.pending.length ? this.pending[this.head]! : this.next
    return Math.min(point, this.abandonedMin)
  }

  /** Resolves once nothing delivered is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending.splice(0, this.head)
      this.head = 0
    }
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.length > 0 && this.inFlight === 0)
      for (const resolve of this.idleWaiters.splice(0)) resolve()
  }
}

/**
 * Runs tasks with at most `concurrency` at once; tasks with the same key run in submission order,
 * one at a time. A task with key `undefined` has no ordering constraint.
 */
export class KeyedScheduler {
  private running = 0
  private readonly queues = new Map<string, Array<() => Promise<void>>>()
  private readonly ready: Array<{ key: string | undefined; task: () => Promise<void> }> = []
  private outstandingCount = 0
  private waiters: Array<() => void> = []

  constructor(
    readonly concurrency: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Tasks submitted and not yet settled (running or queued). */
  get outstanding(): number {
    return this.outstandingCount
  }

  submit(key: string | undefined, task: () => Promise<void>): void {
    this.outstandingCount++
    if (key !== undefined) {
      const queue = this.queues.get(key)
      if (queue !== undefined) {
        queue.push(task)
        return
      }
      this.queues.set(key, [])
    }
    this.ready.push({ key, task })
    this.pump()
  }

  /** Resolves once fewer than `limit` tasks are outstanding. */
  below(limit: number): Promise<void> {
    if (this.outstandingCount < limit) return Promise.resolve()
    return new Promise((resolve) => {
      const check = () => {
        if (this.outstandingCount < limit) resolve()
        else this.waiters.push(check)
      }
      this.waiters.push(check)
    })
  }

  private pump(): void {
    while (this.running < this.concurrency && this.ready.length > 0) {
      const { key, task } = this.ready.shift()!
      this.running++
      void this.execute(key, task)
    }
  }

  private async execute(key: string | undefined, task: () => Promise<void>): Promise<void> {
    try {
      await task()
    } catch (error) {
      this.onError(error)
    }
    this.running--
    this.outstandingCount--
    if (key !== undefined) {
      const queue = this.queues.get(key)!
      const next = queue.shift()
      if (next === undefined) this.queues.delete(key)
      else this.ready.push({ key, task: next })
    }
    this.pump()
    for (const waiter of this.waiters.splice(0)) waiter()
  }
}
