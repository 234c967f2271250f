// Paces a replica's copy of committed data from its leader (a restore) to at most
// `bytesPerSec`: each chunk copied books its share of time, and the next chunk waits until the
// time booked so far has passed. Pure: the caller gives the clock's reading and sleeps.

/** A throttled copy reads chunks of at most this share of a second's budget, so no wait is long. */
const chunkSecondsMax = 0.25
/** Never smaller than this per read: a record batch bigger than the chunk still comes in whole. */
const chunkBytesMin = 16 * 1024

export class CopyThrottle {
  private bookedUntilMs = Number.NEGATIVE_INFINITY

  /** How many bytes to ask for in one read under `bytesPerSec` (undefined: unthrottled). */
  static chunkBytes(bytesPerSec: number | undefined, unthrottledBytes: number): number {
    if (bytesPerSec === undefined || bytesPerSec <= 0) return unthrottledBytes
    return Math.min(unthrottledBytes, Math.max(chunkBytesMin, Math.floor(bytesPerSec * chunkSecondsMax)))
  }

  /**
   * Books `bytes` copied by a read that started at `startedAtMs`; returns how long to wait (from
   * `nowMs`) before the next read. A read slower than its share waits nothing, and time left unused
   * while idle is not saved up (no burst above the rate after a pause).
   */
  waitMsAfter(bytes: number, startedAtMs: number, nowMs: number, bytesPerSec: number | undefined): number {
    if (bytesPerSec === undefined || bytesPerSec <= 0) {
      this.bookedUntilMs = Number.NEGATIVE_INFINITY
      return 0
    }
    this.bookedUntilMs = Math.max(this.bookedUntilMs, startedAtMs) + (bytes * 1000) / bytesPerSec
    return Math.max(0, Math.ceil(this.bookedUntilMs - nowMs))
  }
}
