// Numbers typed on the command line. Every numeric flag has a range and a plain message naming it
// (`--partitions must be an integer from 1 to 10000, got "-1"`), and a negative number is read as
// the flag's value: node's parseArgs would otherwise take `-1` for a flag and answer "argument is
// ambiguous", which tells a person nothing about the range they missed.
import { UsageError } from './flags.js'

/** Inclusive range of one numeric flag. */
export interface FlagRange {
  readonly min: number
  readonly max: number
}

/** The ranges of every numeric flag, in one table so help, checks and tests agree. */
export const flagRanges = {
  // A topic's partitions: storage's partitionCountMax.
  '--partitions': { min: 1, max: 10_000 },
  '--replication-factor': { min: 1, max: 1000 },
  // groups reset-offsets: an offset, and a shift either way (the plan then clamps to the log).
  '--to-offset': { min: 0, max: Number.MAX_SAFE_INTEGER },
  '--shift-by': { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  '--partition': { min: 0, max: 9999 },
  '--offset': { min: 0, max: Number.MAX_SAFE_INTEGER },
  '--max-messages': { min: 1, max: Number.MAX_SAFE_INTEGER },
  '--count': { min: 1, max: Number.MAX_SAFE_INTEGER },
  '--id': { min: 1, max: 2_147_483_647 },
  // The broker's replicaLagTimeMs range.
  '--replica-lag-time-ms': { min: 100, max: 600_000 },
  '--throttle-bytes-per-sec': { min: 1, max: Number.MAX_SAFE_INTEGER },
  ID: { min: 1, max: 2_147_483_647 },
  '--timeout-ms': { min: 1, max: 86_400_000 },
} as const satisfies Record<string, FlagRange>

export type NumericFlag = keyof typeof flagRanges

/** Undefined stays undefined; anything but a decimal integer in range is a UsageError naming the range. */
export function integerFlag(value: string | undefined, flag: NumericFlag): number | undefined {
  if (value === undefined) return undefined
  const { min, max } = flagRanges[flag]
  const text = value.trim()
  // Digits only (and a sign): Number() would also take '', '0x10', '1e3' and ' 7 '.
  const parsed = /^[-+]?\d{1,20}$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`)
  }
  return parsed
}
