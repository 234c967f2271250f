// Which old segments retention deletes. Pure: the log passes sizes, timestamps and the clock.
import type { LogConfig } from './log-config.js'

export interface SegmentSummary {
  readonly sizeBytes: number
  /** Newest record timestamp in the segment; -Infinity when empty. */
  readonly maxTimestamp: number
}

/**
 * How many segments, counted from the oldest, retention deletes. The newest (active) segment is
 * never deleted. By age: leading segments whose newest record is older than `retentionMs`. By
 * size: leading segments while the log would still be at least `retentionBytes` without them.
 * A segment goes when either rule says so. Nothing goes under cleanupPolicy 'compact'.
 */
export function segmentsToDelete(
  segments: readonly SegmentSummary[],
  config: Pick<LogConfig, 'retentionMs' | 'retentionBytes'> & Partial<Pick<LogConfig, 'cleanupPolicy'>>,
  nowMs: number,
): number {
  // A compact-only log keeps every key's latest record however old: the cleaner shrinks it instead.
  if (config.cleanupPolicy === 'compact') return 0
  const deletable = segments.length - 1
  let byAge = 0
  if (config.retentionMs !== -1) {
    while (byAge < deletable && segments[byAge]!.maxTimestamp < nowMs - config.retentionMs) byAge++
  }
  let bySize = 0
  if (config.retentionBytes !== -1) {
    let total = segments.reduce((sum, segment) => sum + segment.sizeBytes, 0)
    while (bySize < deletable && total - segments[bySize]!.sizeBytes >= config.retentionBytes) {
      total -= segments[bySize]!.sizeBytes
      bySize++
    }
  }
  return Math.max(byAge, bySize)
}
