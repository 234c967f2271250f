// Malformed requests are the attacker's cheapest lever on the log: a million bad frames used to
// write a million warn lines. This admits at most one line per key (a client address) per
// interval and says how many were held back since the last line. Pure: the caller passes the time.

export interface Admission {
  /** Whether to write this line. */
  readonly log: boolean
  /** Lines for this key held back since the last one written (only meaningful when `log`). */
  readonly suppressed: number
}

interface KeyState {
  lastLoggedMs: number
  suppressed: number
}

/** Keys remembered at once; the oldest is forgotten first (it then simply logs again). */
export const warningKeysMax = 10_000

export class WarningRateLimit {
  /** Insertion-ordered: the first key is the one logged longest ago. */
  private readonly keys = new Map<string, KeyState>()

  constructor(
    private readonly intervalMs: number,
    private readonly keysMax = warningKeysMax,
  ) {}

  admit(key: string, nowMs: number): Admission {
    const state = this.keys.get(key)
    if (state !== undefined && nowMs - state.lastLoggedMs < this.intervalMs) {
      state.suppressed++
      return { log: false, suppressed: 0 }
    }
    const suppressed = state?.suppressed ?? 0
    // Re-inserted so the map stays ordered by last line written.
    this.keys.delete(key)
    this.keys.set(key, { lastLoggedMs: nowMs, suppressed: 0 })
    if (this.keys.size > this.keysMax) {
      const oldest = this.keys.keys().next().value
      if (oldest !== undefined) this.keys.delete(oldest)
    }
    return { log: true, suppressed }
  }
}

/** What a rate-limited warning needs from its caller's world. */
export interface LimitedWarningSink {
  readonly limiter: WarningRateLimit
  readonly clock: { now(): number }
  readonly logger: { warn(fields: object, message: string): void }
}

/** Writes `message` unless this key had a line within the interval; a written line carries the count held back. */
export function warnLimited(sink: LimitedWarningSink, key: string, fields: object, message: string): void {
  const { log, suppressed } = sink.limiter.admit(key, sink.clock.now())
  if (!log) return
  sink.logger.warn(suppressed > 0 ? { ...fields, suppressed } : fields, message)
}
