// The reconnect mechanics the client's cluster and the broker's peer links share, for one address:
// one dial at a time (every caller that asks while it runs gets the same promise), a count of
// failed dials, an exponential backoff after each failure, and the time the next dial may start.
// What a caller does while the address backs off is its choice: fail fast (a producer looking for
// a partition leader refreshes metadata instead) or wait for the backoff to pass (bootstrap).
import type { Clock, Timer, Timers } from './environment.js'
import { WeirError } from './weir-error.js'

/** Exponential backoff without randomness inside: attempt 0 waits `initialMs`, capped at `maxMs`. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30))
}

/** What the Redialer keeps open: a Connection, or any stand-in with the same two members. */
export interface Redialable {
  readonly closed: boolean
  close(): void
}

export interface RedialerOptions<Dialed extends Redialable> {
  /** Names the far end in errors, e.g. 'broker 2 at 10.0.0.2:9092'. */
  readonly description: string
  /** Opens one connection; its rejection is handed back to the callers of that dial unchanged. */
  readonly dial: () => Promise<Dialed>
  readonly clock: Clock
  readonly timers: Timers
  /** The wait after the first failed dial, doubled after each further one up to the max. */
  readonly backoffMs: number
  readonly backoffMsMax: number
  /** The error `connect` throws once close() was called (CLIENT_CLOSED, BROKER_SHUTTING_DOWN). */
  readonly closedError: () => WeirError
  /** Called after a dial succeeds that followed `failures` failed ones (for a "reconnected" log). */
  readonly onReconnected?: (failures: number) => void
  /** Called after each failed dial with the count so far, 1 for the first (for a "cannot reach" log). */
  readonly onDialFailed?: (error: unknown, failures: number) => void
}

export interface RedialConnectOptions {
  /**
   * True: a caller arriving during the backoff waits for it, then dials. False: it gets
   * BROKER_UNAVAILABLE (retriable) at once, naming the address and when the next dial may start.
   */
  readonly waitForBackoff: boolean
}

export class Redialer<Dialed extends Redialable> {
  private current: Dialed | undefined
  private dialing: Promise<Dialed> | undefined
  private failureCount = 0
  private retryAt = 0
  private backoffTimer: Timer | undefined
  private wakeFromBackoff: (() => void) | undefined
  private closed = false

  constructor(private readonly options: RedialerOptions<Dialed>) {}

  /** The open connection, if any, without dialling. */
  get connection(): Dialed | undefined {
    return this.current !== undefined && !this.current.closed ? this.current : undefined
  }

  /** Failed dials since the last success. */
  get failures(): number {
    return this.failureCount
  }

  /** Epoch milliseconds (of the injected clock) before which no new dial starts; 0 before any failure. */
  get retryAtMs(): number {
    return this.retryAt
  }

  /** Whether a new dial would have to wait: a recent failure and no dial under way. */
  get backingOff(): boolean {
    return this.dialing === undefined && this.retryAt > this.options.clock.now()
  }

  /**
   * The open connection, the dial under way, or a new dial. Errors: BROKER_UNAVAILABLE during the
   * backoff without `waitForBackoff`; the dial's own error; `closedError()` after close().
   */
  connect(options: RedialConnectOptions): Promise<Dialed> {
    if (this.closed) return Promise.reject(this.options.closedError())
    const open = this.connection
    if (open !== undefined) return Promise.resolve(open)
    if (this.dialing !== undefined) return this.dialing
    const waitMs = this.retryAt - this.options.clock.now()
    if (waitMs > 0 && !options.waitForBackoff) {
      return Promise.reject(
        new WeirError(
          'BROKER_UNAVAILABLE',
          `${this.options.description} did not answer the last attempt; Weir tries again in ${waitMs} ms`,
        ),
      )
    }
    const dialing = this.dial(waitMs)
    this.dialing = dialing
    const settled = () => {
      if (this.dialing === dialing) this.dialing = undefined
    }
    dialing.then(settled, settled)
    return dialing
  }

  /** Closes the open connection, wakes a dial waiting out its backoff; later connects fail. */
  close(): void {
    this.closed = true
    this.options.timers.clear(this.backoffTimer)
    this.wakeFromBackoff?.()
    this.current?.close()
    this.current = undefined
  }

  private async dial(waitMs: number): Promise<Dialed> {
    if (waitMs > 0) await this.waitOut(waitMs)
    if (this.closed) throw this.options.closedError()
    let dialed: Dialed
    try {
      dialed = await this.options.dial()
    } catch (error) {
      const { backoffMs: initialMs, backoffMsMax } = this.options
      this.retryAt = this.options.clock.now() + backoffMs(this.failureCount, initialMs, backoffMsMax)
      this.failureCount++
      this.options.onDialFailed?.(error, this.failureCount)
      throw error
    }
    if (this.closed) {
      dialed.close()
      throw this.options.closedError()
    }
    if (this.failureCount > 0) this.options.onReconnected?.(this.failureCount)
    this.failureCount = 0
    this.current = dialed
    return dialed
  }

  private waitOut(waitMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeFromBackoff = resolve
      this.backoffTimer = this.options.timers.setTimeout(resolve, waitMs)
    }).finally(() => {
      this.backoffTimer = undefined
      this.wakeFromBackoff = undefined
    })
  }
}
