// When a connection has overstayed, measured in whole frames, never in bytes: a byte-based idle
// timer is reset by a slowloris trickle, so one attacker could hold every connection slot. One
// timer per connection, armed at the earliest of:
// - first frame: a new connection that has not completed one frame within firstFrameTimeoutMs
//   (or idleTimeoutMs, if shorter), so sockets that never speak free their slot quickly;
// - partial frame: a frame begun and not completed within frameTimeoutMs, however slowly its
//   bytes keep coming;
// - idle: nothing in flight and no complete frame or answer for idleTimeoutMs;
// - write stall: unsent response bytes above writeBufferBytesHigh (a client not reading) for
//   writeStallTimeoutMs.
import type { Clock, Timer, Timers } from '@weir/protocol'
import type { BrokerLimits } from './limits.js'

export type DeadlineLimits = Pick<
  BrokerLimits,
  'firstFrameTimeoutMs' | 'frameTimeoutMs' | 'idleTimeoutMs' | 'writeStallTimeoutMs'
>

export type ExpiryReason = 'no first frame' | 'partial frame' | 'idle' | 'write stall'

export class ConnectionDeadlines {
  private timer: Timer | undefined
  private timerAtMs = Number.POSITIVE_INFINITY
  private framesSeen = false
  private lastActivityMs: number
  private partialSinceMs: number | undefined
  private stallSinceMs: number | undefined
  private stopped = false

  constructor(
    private readonly clock: Clock,
    private readonly timers: Timers,
    private readonly limits: DeadlineLimits,
    /** Requests in flight or read and waiting: a busy connection is never idle. */
    private readonly busy: () => boolean,
    private readonly expire: (reason: ExpiryReason) => void,
  ) {
    this.lastActivityMs = clock.now()
    this.arm()
  }

  /** After a chunk was read: how many frames it completed, and whether a frame is now half-read. */
  read(completedFrames: number, partial: boolean): void {
    const now = this.clock.now()
    if (completedFrames > 0) {
      this.framesSeen = true
      this.lastActivityMs = now
    }
    // A frame that completed makes any remaining bytes the start of a new one.
    if (!partial) this.partialSinceMs = undefined
    else if (completedFrames > 0 || this.partialSinceMs === undefined) this.partialSinceMs = now
    this.arm()
  }

  /** A response went out (or a request finished without one). */
  answered(): void {
    this.lastActivityMs = this.clock.now()
    this.arm()
  }

  /** Whether unsent response bytes are above the mark right now. */
  writeBacklog(above: boolean): void {
    if (above === (this.stallSinceMs !== undefined)) return
    this.stallSinceMs = above ? this.clock.now() : undefined
    this.arm()
  }

  stop(): void {
    this.stopped = true
    this.timers.clear(this.timer)
    this.timer = undefined
  }

  /** The earliest moment one of the rules closes the connection, and which. */
  private next(): { atMs: number; reason: ExpiryReason } {
    const { firstFrameTimeoutMs, frameTimeoutMs, idleTimeoutMs, writeStallTimeoutMs } = this.limits
    let best = { atMs: Number.POSITIVE_INFINITY, reason: 'idle' as ExpiryReason }
    const consider = (atMs: number, reason: ExpiryReason) => {
      if (atMs < best.atMs) best = { atMs, reason }
    }
    if (!this.framesSeen)
      consider(this.lastActivityMs + Math.min(firstFrameTimeoutMs, idleTimeoutMs), 'no first frame')
    if (this.partialSinceMs !== undefined) consider(this.partialSinceMs + frameTimeoutMs, 'partial frame')
    if (this.framesSeen && !this.busy()) consider(this.lastActivityMs + idleTimeoutMs, 'idle')
    if (this.stallSinceMs !== undefined) consider(this.stallSinceMs + writeStallTimeoutMs, 'write stall')
    return best
  }

  /**
   * Keeps one timer at or before the next deadline. Deadlines mostly move later (activity), so an
   * armed timer is kept and re-checks when it fires; it is re-armed only for an earlier deadline.
   */
  private arm(): void {
    if (this.stopped) return
    const { atMs } = this.next()
    if (atMs === Number.POSITIVE_INFINITY || atMs >= this.timerAtMs) return
    this.timers.clear(this.timer)
    this.timerAtMs = atMs
    this.timer = this.timers.setTimeout(() => this.fire(), Math.max(0, atMs - this.clock.now()))
  }

  private fire(): void {
    this.timer = undefined
    this.timerAtMs = Number.POSITIVE_INFINITY
    if (this.stopped) return
    const { atMs, reason } = this.next()
    if (atMs <= this.clock.now()) {
      this.stop()
      this.expire(reason)
      return
    }
    this.arm()
  }
}
