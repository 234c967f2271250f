// The simulation's one scheduler: a virtual clock and virtual timers for every host of the world.
// Nothing runs until the driver steps it. A step runs one deferred callback (FIFO; all deferred
// callbacks run before time moves) or, when none is pending, moves time to the earliest timer
// and fires it; timers fire in (due time, arming order). Between steps the driver yields one real
// setImmediate turn: nothing in the world does real I/O, so after that turn every promise chain
// the last callback started has settled or waits on a virtual timer, and the order of everything
// is the same on every run of a seed.
//
// Each process (a broker incarnation, a client) arms timers through its own TimerScope: a crash
// halts the scope, so the dead process's timers never fire again, and whatever its leftover
// promise continuations arm is dropped. Each host reads the wall clock through its own HostClock,
// whose offset a fault can jump without moving any timer (as Date.now jumps while Node's timers
// stay monotonic).
import type { Clock, Timer, Timers } from '@weir/protocol'

interface Entry {
  /** Arming order: ties on dueMs fire in this order. Re-armed intervals take a new one. */
  sequence: number
  dueMs: number
  readonly callback: () => void
  /** Re-armed this far after each firing; undefined for one-shot timers. */
  readonly intervalMs: number | undefined
  readonly scope: TimerScope
  readonly kind: StepKind
  cancelled: boolean
  readonly timer: VirtualTimer
}

/** What one step ran, for traces. */
export type StepKind = 'defer' | 'timer'

export interface VirtualTimeOptions {
  /** Wall-clock ms since the epoch at virtual time 0. Default 1 700 000 000 000. */
  readonly startMs?: number
  /** Steps one run of the world may take before it fails as a livelock. Default 2 000 000. */
  readonly stepsMax?: number
  /** Steps at one virtual instant before it fails as a livelock (time never moves). Default 200 000. */
  readonly stepsAtOneInstantMax?: number
  /** Called after each step with what ran (the determinism trace hashes these). */
  readonly onStep?: (kind: StepKind, sequence: number, atMs: number) => void
  /** Lets promise continuations run between steps. Default: one real setImmediate turn. */
  readonly settle?: () => Promise<void>
}

/** A livelock (too many steps) or a callback that threw: the seed fails with this. */
export class SimulationStuckError extends Error {
  override readonly name = 'SimulationStuckError'
}

const settleOneTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

export class VirtualTime {
  private elapsed = 0
  private nextSequence = 1
  private readonly heap: Entry[] = []
  private readonly deferred: Entry[] = []
  private deferredHead = 0
  private steps = 0
  private stepsAtInstant = 0
  private instantMs = 0
  private callbackError: unknown
  private readonly startMs: number
  private readonly stepsMax: number
  private readonly stepsAtOneInstantMax: number
  private readonly onStep: VirtualTimeOptions['onStep']
  private readonly settle: () => Promise<void>
  private readonly offsets = new Map<string, number>()

  constructor(options: VirtualTimeOptions = {}) {
    this.startMs = options.startMs ?? 1_700_000_000_000
    this.stepsMax = options.stepsMax ?? 2_000_000
    this.stepsAtOneInstantMax = options.stepsAtOneInstantMax ?? 200_000
    this.onStep = options.onStep
    this.settle = options.settle ?? settleOneTurn
  }

  /** Virtual milliseconds since the start (monotonic; clock jumps do not move it). */
  get elapsedMs(): number {
    return this.elapsed
  }

  /** Steps run so far. */
  get stepCount(): number {
    return this.steps
  }

  /** Timers armed and deferred callbacks queued, in live scopes or not yet skipped. */
  get pendingCount(): number {
    return this.heap.length + this.deferred.length - this.deferredHead
  }

  /** The timers of one process; halt() it when the process dies. */
  scope(label: string): TimerScope {
    return new TimerScope(this, label)
  }

  /** The wall clock as `host` reads it: virtual time plus the start, plus the host's jumps. */
  clock(host: string): Clock {
    return { now: () => this.startMs + this.elapsed + (this.offsets.get(host) ?? 0) }
  }

  /** Moves `host`'s wall clock by `ms` (negative goes back); no timer moves. */
  jumpClock(host: string, ms: number): void {
    this.offsets.set(host, (this.offsets.get(host) ?? 0) + ms)
  }

  /** Puts every host's wall clock back on virtual time. */
  resetClocks(): void {
    this.offsets.clear()
  }

  /**
   * Steps until `done()` holds (checked after every step) or `limitMs` of virtual time from now
   * has passed; true when `done()` held. Throws SimulationStuckError on a livelock or a throwing
   * callback.
   */
  async runUntil(done: () => boolean, limitMs: number): Promise<boolean> {
    const untilMs = this.elapsed + limitMs
    await this.settle()
    this.rethrow()
    while (!done()) {
      if (!(await this.step(untilMs))) {
        this.elapsed = Math.max(this.elapsed, untilMs)
        return done()
      }
    }
    return true
  }

  /** Runs everything due within the next `ms` of virtual time; time ends exactly `ms` later. */
  async runFor(ms: number): Promise<void> {
    await this.runUntil(() => false, ms)
  }

  // ---- used by TimerScope ----

  arm(scope: TimerScope, callback: () => void, delayMs: number, intervalMs: number | undefined): Timer {
    const timer = new VirtualTimer()
    const entry: Entry = {
      sequence: this.nextSequence++,
      dueMs: this.elapsed + delayMs,
      callback,
      intervalMs,
      scope,
      kind: 'timer',
      cancelled: false,
      timer,
    }
    timer.entry = entry
    if (!scope.halted) this.push(entry)
    return timer
  }

  queue(scope: TimerScope, callback: () => void): void {
    const timer = new VirtualTimer()
    const entry: Entry = {
      sequence: this.nextSequence++,
      dueMs: this.elapsed,
      callback,
      intervalMs: undefined,
      scope,
      kind: 'defer',
      cancelled: false,
      timer,
    }
    this.deferred.push(entry)
  }

  // ---- the run loop ----

  /** Runs one callback due by `untilMs`; false when none is. */
  private async step(untilMs: number): Promise<boolean> {
    const entry = this.takeNext(untilMs)
    if (entry === undefined) return false
    this.count(entry)
    if (entry.intervalMs !== undefined) {
      entry.sequence = this.nextSequence++
      entry.dueMs = this.elapsed + entry.intervalMs
      this.push(entry)
    } else {
      entry.timer.entry = undefined
    }
    try {
      entry.callback()
    } catch (error) {
      this.callbackError ??= error
    }
    this.onStep?.(entry.kind, entry.sequence, this.elapsed)
    await this.settle()
    this.rethrow()
    return true
  }

  /** The next live deferred callback, else the next live timer due by `untilMs` (time moves to it). */
  private takeNext(untilMs: number): Entry | undefined {
    while (this.deferredHead < this.deferred.length) {
      const entry = this.deferred[this.deferredHead++]!
      if (this.deferredHead > 1024 && this.deferredHead * 2 > this.deferred.length) {
        this.deferred.splice(0, this.deferredHead)
        this.deferredHead = 0
      }
      if (!entry.scope.halted) return entry
    }
    for (let entry = this.heap[0]; entry !== undefined; entry = this.heap[0]) {
      if (entry.cancelled || entry.scope.halted) {
        this.pop()
        continue
      }
      if (entry.dueMs > untilMs) return undefined
      this.pop()
      this.elapsed = Math.max(this.elapsed, entry.dueMs)
      return entry
    }
    return undefined
  }

  private count(entry: Entry): void {
    this.steps++
    if (this.steps > this.stepsMax) {
      throw new SimulationStuckError(
        `livelock: more than ${this.stepsMax} steps (virtual time ${this.elapsed} ms, last from ${entry.scope.label})`,
      )
    }
    if (this.elapsed !== this.instantMs) {
      this.instantMs = this.elapsed
      this.stepsAtInstant = 0
    }
    if (++this.stepsAtInstant > this.stepsAtOneInstantMax) {
      throw new SimulationStuckError(
        `livelock: ${this.stepsAtOneInstantMax} steps at virtual time ${this.elapsed} ms without time moving (last from ${entry.scope.label})`,
      )
    }
  }

  private rethrow(): void {
    if (this.callbackError === undefined) return
    const error = this.callbackError
    this.callbackError = undefined
    throw new SimulationStuckError(
      `a timer or deferred callback threw at virtual time ${this.elapsed} ms: ${describe(error)}`,
      { cause: error },
    )
  }

  // ---- a binary min-heap on (dueMs, sequence) ----

  private push(entry: Entry): void {
    const heap = this.heap
    heap.push(entry)
    let index = heap.length - 1
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!before(entry, heap[parent]!)) break
      heap[index] = heap[parent]!
      index = parent
    }
    heap[index] = entry
  }

  private pop(): void {
    const heap = this.heap
    const last = heap.pop()!
    if (heap.length === 0) return
    let index = 0
    for (;;) {
      const left = 2 * index + 1
      if (left >= heap.length) break
      const right = left + 1
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left
      if (!before(heap[child]!, last)) break
      heap[index] = heap[child]!
      index = child
    }
    heap[index] = last
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.sequence < b.sequence)
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error)
}

class VirtualTimer implements Timer {
  /** The armed entry; undefined once a one-shot timer fired or for deferred callbacks. */
  entry: Entry | undefined
  unref(): this {
    return this
  }
}

/** One process's Timers: arming through a halted scope does nothing, and its timers never fire. */
export class TimerScope implements Timers {
  halted = false

  constructor(
    private readonly time: VirtualTime,
    readonly label: string,
  ) {}

  setTimeout(callback: () => void, delayMs: number): Timer {
    return this.time.arm(this, callback, Math.max(0, delayMs || 0), undefined)
  }

  setInterval(callback: () => void, intervalMs: number): Timer {
    const every = Math.max(1, intervalMs || 0)
    return this.time.arm(this, callback, every, every)
  }

  clear(timer: Timer | undefined): void {
    if (!(timer instanceof VirtualTimer) || timer.entry === undefined) return
    timer.entry.cancelled = true
    timer.entry = undefined
  }

  defer(callback: () => void): void {
    if (!this.halted) this.time.queue(this, callback)
  }

  /** The process died: none of its timers or deferred callbacks run again. */
  halt(): void {
    this.halted = true
  }
}
