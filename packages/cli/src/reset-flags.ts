// The flags of `weir groups reset-offsets`, checked before connecting (a usage error never waits
// on a broker): the topic with optional partitions (`--topic orders` or, as in Kafka's tool,
// `--topic orders:0,2`), exactly one target, and --dry-run. Pure.
import { UsageError } from './flags.js'
import { integerFlag } from './numeric-flags.js'
import type { ResetTarget } from './reset-plan.js'

export const resetFlagOptions = {
  topic: { type: 'string' },
  'to-earliest': { type: 'boolean' },
  'to-latest': { type: 'boolean' },
  'to-datetime': { type: 'string' },
  'to-offset': { type: 'string' },
  'shift-by': { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const

export interface ResetFlagValues {
  readonly topic?: string | undefined
  readonly 'to-earliest'?: boolean | undefined
  readonly 'to-latest'?: boolean | undefined
  readonly 'to-datetime'?: string | undefined
  readonly 'to-offset'?: string | undefined
  readonly 'shift-by'?: string | undefined
  readonly 'dry-run'?: boolean | undefined
}

export interface ResetRequest {
  readonly topic: string
  /** Absent: every partition of the topic. */
  readonly partitions?: readonly number[]
  readonly target: ResetTarget
  readonly dryRun: boolean
}

const targetFlags = ['--to-earliest', '--to-latest', '--to-datetime', '--to-offset', '--shift-by'] as const

/** ISO 8601 (2026-01-31T12:00:00Z) or ms since the epoch. */
export function parseDatetime(text: string): number {
  const timestampMs = /^\d+$/.test(text)
    ? Number(text)
    : /^\d{4}-\d{2}-\d{2}/.test(text)
      ? Date.parse(text)
      : Number.NaN
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0)
    throw new UsageError(
      `--to-datetime must be an ISO 8601 time such as 2026-01-31T12:00:00Z or ms since the epoch, got ${JSON.stringify(text)}`,
    )
  return timestampMs
}

function parseTopic(text: string): { topic: string; partitions?: number[] } {
  const colon = text.lastIndexOf(':')
  if (colon < 0) return { topic: text }
  const topic = text.slice(0, colon)
  const list = text.slice(colon + 1)
  if (topic === '' || !/^\d+(,\d+)*$/.test(list))
    throw new UsageError(
      `--topic must be TOPIC or TOPIC:P[,P...] (e.g. orders:0,2), got ${JSON.stringify(text)}`,
    )
  return { topic, partitions: [...new Set(list.split(',').map(Number))] }
}

function parseTarget(values: ResetFlagValues): ResetTarget {
  const given = [
    values['to-earliest'] === true,
    values['to-latest'] === true,
    values['to-datetime'] !== undefined,
    values['to-offset'] !== undefined,
    values['shift-by'] !== undefined,
  ]
  if (given.filter(Boolean).length !== 1)
    throw new UsageError(`groups reset-offsets needs exactly one of ${targetFlags.join(', ')}`)
  if (values['to-earliest']) return { kind: 'earliest' }
  if (values['to-latest']) return { kind: 'latest' }
  if (values['to-datetime'] !== undefined)
    return { kind: 'datetime', timestampMs: parseDatetime(values['to-datetime']) }
  if (values['to-offset'] !== undefined)
    return { kind: 'offset', offset: integerFlag(values['to-offset'], '--to-offset')! }
  return { kind: 'shift', by: integerFlag(values['shift-by'], '--shift-by')! }
}

export function parseReset(values: ResetFlagValues): ResetRequest {
  if (values.topic === undefined) throw new UsageError('groups reset-offsets needs --topic TOPIC')
  const { topic, partitions } = parseTopic(values.topic)
  return {
    topic,
    ...(partitions === undefined ? {} : { partitions }),
    target: parseTarget(values),
    dryRun: values['dry-run'] === true,
  }
}
