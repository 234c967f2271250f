import { type CleanupPolicy, cleanupPolicies, WeirError } from '@weir/protocol'

/**
 * `'always'`: an append resolves once an fsync covers it; concurrent appends share one fsync
 * (group commit). A number: appends resolve once written to the OS, and a timer fsyncs every that
 * many ms, so a power loss may drop up to that window of acknowledged appends. `'never'`: only
 * segment rolls and close fsync; the OS decides the rest.
 */
export type FsyncPolicy = 'always' | 'never' | number

export interface LogConfig {
  /** Roll to a new segment before one would pass this size. */
  readonly segmentBytes: number
  /** Roll to a new segment once the active one holds data older than this. */
  readonly segmentMs: number
  /** Delete closed segments whose newest record is older than this; -1 keeps them forever. */
  readonly retentionMs: number
  /** Delete the oldest closed segments while the log is larger than this; -1 for no limit. */
  readonly retentionBytes: number
  readonly fsync: FsyncPolicy
  /** Largest batch an append accepts. */
  readonly maxBatchBytes: number
  /** One offset-index entry per this many bytes of log. */
  readonly indexIntervalBytes: number
  /**
   * 'delete': retention deletes old segments. 'compact': `clean()` keeps the latest record per
   * key and retention deletes nothing. 'compact,delete': both.
   */
  readonly cleanupPolicy: CleanupPolicy
  /** A tombstone stays this long after the first clean that passed it. */
  readonly deleteRetentionMs: number
}

const mebibyte = 1024 * 1024
const day = 86_400_000

export const defaultLogConfig: LogConfig = {
  segmentBytes: 128 * mebibyte,
  segmentMs: 7 * day,
  retentionMs: 7 * day,
  retentionBytes: -1,
  fsync: 'always',
  maxBatchBytes: 16 * mebibyte,
  indexIntervalBytes: 4096,
  cleanupPolicy: 'delete',
  deleteRetentionMs: day,
}

// Positions in the offset index are u32 and a segment must be addressable by them.
const segmentBytesMax = 2 ** 31 - 1
const segmentBytesMin = 1024

function checkInteger(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${field} must be an integer from ${min} to ${max}, got ${String(value)}`,
    )
  }
}

function checkLimitOrUnlimited(field: string, value: unknown): void {
  if (value === -1) return
  checkInteger(field, value, 1, Number.MAX_SAFE_INTEGER)
}

/** Fills defaults and checks every field; a bad value is INVALID_CONFIG naming the field and its range. */
export function resolveLogConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  const given = stripUndefined(overrides)
  const segmentBytes = given.segmentBytes ?? defaultLogConfig.segmentBytes
  // A small segment lowers the default batch limit with it; an explicit limit is checked instead.
  const maxBatchBytes = given.maxBatchBytes ?? Math.min(defaultLogConfig.maxBatchBytes, segmentBytes)
  const indexIntervalBytes =
    given.indexIntervalBytes ?? Math.min(defaultLogConfig.indexIntervalBytes, segmentBytes)
  const config: LogConfig = { ...defaultLogConfig, ...given, maxBatchBytes, indexIntervalBytes }
  checkInteger('segmentBytes', config.segmentBytes, segmentBytesMin, segmentBytesMax)
  checkInteger('segmentMs', config.segmentMs, 1, Number.MAX_SAFE_INTEGER)
  checkLimitOrUnlimited('retentionMs', config.retentionMs)
  checkLimitOrUnlimited('retentionBytes', config.retentionBytes)
  checkInteger('maxBatchBytes', config.maxBatchBytes, 61, config.segmentBytes)
  checkInteger('indexIntervalBytes', config.indexIntervalBytes, 1, config.segmentBytes)
  checkInteger('deleteRetentionMs', config.deleteRetentionMs, 0, Number.MAX_SAFE_INTEGER)
  if (!(cleanupPolicies as readonly unknown[]).includes(config.cleanupPolicy)) {
    throw new WeirError(
      'INVALID_CONFIG',
      `cleanupPolicy must be one of ${cleanupPolicies.join(', ')}, got ${String(config.cleanupPolicy)}`,
    )
  }
  const { fsync } = config
  if (fsync !== 'always' && fsync !== 'never') {
    checkInteger("fsync (an interval in ms, 'always' or 'never')", fsync, 1, 3_600_000)
  }
  return config
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>
}
