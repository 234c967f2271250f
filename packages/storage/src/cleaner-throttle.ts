// Paces the log cleaner to a byte rate so a clean does not take the disk from produce and fetch.
// The delay is pure (throttleDelayMs); the throttle waits on injected timers.
import type { Clock, Timers } from '@weir/protocol'

/** How long to wait so `spentBytes` over `elapsedMs` stays at or under `bytesPerSecond`. */
export function throttleDelayMs(spentBytes: number, elapsedMs: number, bytesPerSecond: number): number {
  if (bytesPerSecond === Number.POSITIVE_INFINITY) return 0
  return Math.max(0, (spentBytes * 1000) / bytesPerSecond - elapsedMs)
}

export class CleanerThrottle {
  private spentBytes = 0
  private readonly startMs: number

  constructor(
    private readonly bytesPerSecond: number,
    private readonly clock: Clock,
    private readonly timers: Timers,
  ) {
    this.startMs = clock.now()
  }

  /** Counts bytes read or written; resolves once the rate allows more. */
  async spend(bytes: number): Promise<void> {
    this.spentBytes += bytes
    const delayMs = throttleDelayMs(this.spentBytes, this.clock.now() - this.startMs, this.bytesPerSecond)
    if (delayMs > 0) await new Promise<void>((resolve) => this.timers.setTimeout(resolve, delayMs))
  }
}
