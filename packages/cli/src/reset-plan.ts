// Where `weir groups reset-offsets` moves each partition, planned before anything changes (so
// --dry-run prints exactly what a real run commits). Pure: the caller fetches the committed
// offsets, the log bounds and, for --to-datetime, the offsets at that time. As in Kafka's tool,
// an explicit offset or a shift lands inside the log: below its start means the start, past its
// end means the end.
import { UsageError } from './flags.js'

export type ResetTarget =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'shift'; readonly by: number }
  | { readonly kind: 'datetime'; readonly timestampMs: number }

export interface PartitionState {
  readonly partition: number
  /** The group's committed offset; -1 when it has none. */
  readonly committed: number
  readonly logStartOffset: number
  /** The high watermark: the next offset to be written. */
  readonly logEndOffset: number
  /** For a datetime target: the first offset at or after that time. */
  readonly offsetAtTime?: number
}

export interface PlannedReset {
  readonly partition: number
  /** The committed offset before the reset; null when there was none. */
  readonly from: number | null
  readonly to: number
}

export function describeTarget(target: ResetTarget): string {
  switch (target.kind) {
    case 'earliest':
    case 'latest':
      return target.kind
    case 'offset':
      return `offset ${target.offset}`
    case 'shift':
      return `shift by ${target.by}`
    case 'datetime':
      return new Date(target.timestampMs).toISOString()
  }
}

function wanted(state: PartitionState, target: ResetTarget): number {
  switch (target.kind) {
    case 'earliest':
      return state.logStartOffset
    case 'latest':
      return state.logEndOffset
    case 'offset':
      return target.offset
    case 'shift':
      if (state.committed < 0)
        throw new UsageError(
          `partition ${state.partition} has no committed offset to shift from; use --to-offset, --to-earliest or --to-latest`,
        )
      return state.committed + target.by
    case 'datetime':
      return state.offsetAtTime ?? state.logEndOffset
  }
}

/** The plan for `partitions` (all of `states` when absent); an unknown partition is a usage error. */
export function planReset(
  states: readonly PartitionState[],
  target: ResetTarget,
  partitions?: readonly number[],
): PlannedReset[] {
  const chosen =
    partitions === undefined
      ? states
      : partitions.map((partition) => {
          const state = states.find((entry) => entry.partition === partition)
          if (state === undefined)
            throw new UsageError(
              `the topic has partitions 0 to ${states.length - 1}, not ${partition}; check --topic TOPIC:PARTITIONS`,
            )
          return state
        })
  return chosen.map((state) => ({
    partition: state.partition,
    from: state.committed < 0 ? null : state.committed,
    to: Math.min(Math.max(wanted(state, target), state.logStartOffset), state.logEndOffset),
  }))
}
