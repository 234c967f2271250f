// A virtual clock and virtual timers for tests and the seeded simulation: nothing fires until the
// driver runs it, and tasks run in (due time, arming order), so the same program and seed give the
// same run every time. Deferred callbacks are tasks due now, after those already due now. The wall
// clock (`now`) can jump without moving timers, as Node's Date.now does while its timers stay
// monotonic.
import type { Clock, Timer, Timers } from '../environment.js'

interface Task {
  readonly id: number
  dueAtMs: number
  readonly callback: () => void
  /** Re-armed this far after each run; undefined for one-shot tasks. */
  readonly intervalMs: number | undefined
}

export interface SimulatedTimeOptions {
  /** Wall-clock milliseconds since the epoch at the start. Default 1 700 000 000 000. */
  readonly startMs?: number
  /**
   * How the driver lets promise continuations run between two tasks. The default yields one turn
   * of the real event loop (setImmediate); with no real I/O pending that order is the same on
   * every run. Nothing in the simulated program ever waits on real time.
   */
  readonly settle?: () => Promise<void>
}

export interface SimulatedRunOptions {
  /** Stop after this many tasks (a guard against a program that never goes idle). Default 1 000 000. */
  readonly tasksMax?: number
}

const settleOneTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

export class SimulatedTime implements Clock, Timers {
  private monotonicMs = 0
  private wallOffsetMs: number
  private nextId = 1
  /** Kept sorted by (dueAtMs, id): small enough in tests that insertion sort is fine. */
  private readonly tasks: Task[] = []
  private readonly settle: () => Promise<void>

  constructor(options: SimulatedTimeOptions = {}) {
    this.wallOffsetMs = options.startMs ?? 1_700_000_000_000
    this.settle = options.settle ?? settleOneTurn
  }

  now(): number {
    return this.monotonicMs + this.wallOffsetMs
  }

  /** Milliseconds of virtual time run so far (unaffected by clock jumps). */
  get elapsedMs(): number {
    return this.monotonicMs
  }

  /** Tasks armed and not yet run. */
  get pendingCount(): number {
    return this.tasks.length
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    return this.arm(callback, Math.max(0, delayMs), undefined)
  }

  setInterval(callback: () => void, intervalMs: number): Timer {
    return this.arm(callback, Math.max(1, intervalMs), Math.max(1, intervalMs))
  }

  clear(timer: Timer | undefined): void {
    if (!(timer instanceof SimulatedTimer)) return
    const index = this.tasks.findIndex((task) => task.id === timer.id)
    if (index >= 0) this.tasks.splice(index, 1)
  }

  defer(callback: () => void): void {
    this.arm(callback, 0, undefined)
  }

  /** Moves the wall clock by `ms` (negative goes back) without running or moving any timer. */
  jumpClock(ms: number): void {
    this.wallOffsetMs += ms
  }

  /** Runs tasks due within the next `ms` of virtual time, then sets the time to exactly that. */
  async advance(ms: number, options: SimulatedRunOptions = {}): Promise<void> {
    const untilMs = this.monotonicMs + ms
    await this.runWhile((task) => task.dueAtMs <= untilMs, options)
    this.monotonicMs = Math.max(this.monotonicMs, untilMs)
  }

  /** Runs tasks, jumping time forward to each, until none is armed. Returns the tasks run. */
  runUntilIdle(options: SimulatedRunOptions = {}): Promise<number> {
    return this.runWhile(() => true, options)
  }

  /** Runs tasks until `done()` holds, or nothing is armed; false when it never held. */
  async runUntil(done: () => boolean, options: SimulatedRunOptions = {}): Promise<boolean> {
    await this.settle()
    await this.runWhile(() => !done(), options)
    return done()
  }

  private async runWhile(proceed: (next: Task) => boolean, options: SimulatedRunOptions): Promise<number> {
    const tasksMax = options.tasksMax ?? 1_000_000
    let ran = 0
    await this.settle()
    for (let next = this.tasks[0]; next !== undefined && proceed(next); next = this.tasks[0]) {
      if (ran >= tasksMax) throw new Error(`simulated time: still busy after ${tasksMax} tasks`)
      this.tasks.shift()
      this.monotonicMs = Math.max(this.monotonicMs, next.dueAtMs)
      if (next.intervalMs !== undefined) {
        next.dueAtMs = this.monotonicMs + next.intervalMs
        this.insert(next)
      }
      next.callback()
      ran++
      await this.settle()
    }
    return ran
  }

  private arm(callback: () => void, delayMs: number, intervalMs: number | undefined): Timer {
    const task: Task = { id: this.nextId++, dueAtMs: this.monotonicMs + delayMs, callback, intervalMs }
    this.insert(task)
    return new SimulatedTimer(task.id)
  }

  private insert(task: Task): void {
    let index = this.tasks.length
    while (index > 0) {
      const before = this.tasks[index - 1]!
      if (before.dueAtMs < task.dueAtMs || (before.dueAtMs === task.dueAtMs && before.id < task.id)) break
      index--
    }
    this.tasks.splice(index, 0, task)
  }
}

class SimulatedTimer implements Timer {
  constructor(readonly id: number) {}
  unref(): this {
    return this
  }
}
