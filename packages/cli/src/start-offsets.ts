// Where `weir consume` starts and, with -e, where it stops. `--offset` forms (as kcat -o and rpk
// -o): start, end, N (absolute), -N (N before the end), @MS or @ISO-DATETIME (the first record at
// or after that time). Pure: the partitions' offsets are asked for by the caller and passed in.
import { UsageError } from './flags.js'

export type OffsetFlag =
  | { readonly kind: 'start' }
  | { readonly kind: 'end' }
  | { readonly kind: 'absolute'; readonly offset: number }
  | { readonly kind: 'fromEnd'; readonly count: number }
  | { readonly kind: 'timestamp'; readonly timestampMs: number }

const offsetHelp = 'use start, end, N, -N (N before the end), @MS or @2026-01-31T12:00:00Z'

export function parseOffsetFlag(value: string): OffsetFlag {
  const text = value.trim()
  if (text === 'start' || text === 'beginning' || text === 'earliest') return { kind: 'start' }
  if (text === 'end' || text === 'latest') return { kind: 'end' }
  if (/^\d{1,16}$/.test(text) && Number.isSafeInteger(Number(text)))
    return { kind: 'absolute', offset: Number(text) }
  if (/^-\d{1,16}$/.test(text) && Number.isSafeInteger(Number(text)))
    return { kind: 'fromEnd', count: -Number(text) }
  if (text.startsWith('@')) {
    const time = text.slice(1)
    const timestampMs = /^\d{1,16}$/.test(time) ? Number(time) : Date.parse(time)
    // Date.parse takes loose forms too; a date needs at least YYYY-MM-DD to be read as one.
    if (
      Number.isSafeInteger(timestampMs) &&
      timestampMs >= 0 &&
      (/^\d+$/.test(time) || /^\d{4}-\d{2}-\d{2}/.test(time))
    )
      return { kind: 'timestamp', timestampMs }
    throw new UsageError(`--offset ${JSON.stringify(value)} is not a time: ${offsetHelp}`)
  }
  throw new UsageError(`--offset must be start, end or a number, got ${JSON.stringify(value)}: ${offsetHelp}`)
}

export interface PartitionRange {
  readonly partition: number
  /** Log start offset. */
  readonly low: number
  /** Log end offset (high watermark) when asked. */
  readonly high: number
}

export interface StartOffset {
  readonly partition: number
  readonly offset: number
  /** Why the asked offset was moved into [low, high], for a warning on stderr; undefined when it was not. */
  readonly clamped?: string
}

/**
 * The start offset of each partition. An absolute offset outside [low, high] is clamped (past
 * the end: to the end, so the consumer waits for new records instead of waiting for an offset
 * that will never come silently; before the start: to the start) with a note to warn about.
 * `atTimestamp` is the ListOffsets answer per partition, needed for the timestamp form only.
 */
export function startOffsets(
  flag: OffsetFlag,
  ranges: readonly PartitionRange[],
  atTimestamp: ReadonlyMap<number, number> = new Map(),
): StartOffset[] {
  return ranges.map((range) => startOf(flag, range, atTimestamp))
}

function startOf(
  flag: OffsetFlag,
  { partition, low, high }: PartitionRange,
  atTimestamp: ReadonlyMap<number, number>,
): StartOffset {
  switch (flag.kind) {
    case 'start':
      return { partition, offset: low }
    case 'end':
      return { partition, offset: high }
    case 'fromEnd':
      return { partition, offset: Math.max(low, high - flag.count) }
    case 'timestamp': {
      const offset = atTimestamp.get(partition)
      if (offset === undefined) throw new Error(`no offset by timestamp for partition ${partition}`)
      return { partition, offset: Math.min(Math.max(offset, low), high) }
    }
    case 'absolute':
      if (flag.offset > high)
        return {
          partition,
          offset: high,
          clamped: `offset ${flag.offset} is past the end of partition ${partition} (${high}): starting at the end`,
        }
      if (flag.offset < low)
        return {
          partition,
          offset: low,
          clamped: `offset ${flag.offset} is before the start of partition ${partition} (${low}): starting at the start`,
        }
      return { partition, offset: flag.offset }
  }
}

/**
 * Which partitions still have records before their end offset (-e). A partition is finished once
 * the next offset to read reaches the end taken at start (kcat -e: the high watermark then).
 */
export class EndTracker {
  private readonly ends = new Map<number, number>()

  constructor(starts: readonly StartOffset[], ranges: readonly PartitionRange[]) {
    for (const { partition, offset } of starts) {
      const high = ranges.find((range) => range.partition === partition)?.high ?? offset
      if (offset < high) this.ends.set(partition, high)
    }
  }

  /** Records that `offset` of `partition` was read; true when that finished the partition. */
  read(partition: number, offset: number): boolean {
    const end = this.ends.get(partition)
    if (end === undefined || offset + 1 < end) return false
    this.ends.delete(partition)
    return true
  }

  /** Whether `partition` is still read (a finished one's later records are not printed). */
  reading(partition: number): boolean {
    return this.ends.has(partition)
  }

  get finished(): boolean {
    return this.ends.size === 0
  }
}
