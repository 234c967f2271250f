// One typed check for every table of integer options (limits, Raft timing, group options): the
// keys, defaults and ranges are one object type, so no cast stands between the check and its result.
import { WeirError } from '@weir/protocol'

/** Inclusive bounds of one integer option. */
export type IntegerRange = readonly [min: number, max: number]

export interface IntegerOptionsTable<Key extends string> {
  /** The key's place in messages: `limits`, `raft`, `groups.limits`. */
  readonly path: string
  /** What one key is, for "x is not <noun>": `a limit`, `a Raft option`. */
  readonly noun: string
  readonly defaults: Readonly<Record<Key, number>>
  readonly ranges: Readonly<Record<Key, IntegerRange>>
  /** Keys the caller resolves itself (a nested table): named in messages, never in `given` here. */
  readonly otherKeys?: readonly string[]
}

/**
 * Fills `table.defaults` with the integers of `given`, each checked against its range; a key set
 * to undefined keeps its default. Errors (INVALID_CONFIG, naming path, key, range and value): a
 * `given` that is not an object, an unknown key, a value that is not an integer in range.
 */
export function resolveIntegerOptions<Key extends string>(
  given: unknown,
  table: IntegerOptionsTable<Key>,
): Record<Key, number> {
  const resolved: Record<Key, number> = { ...table.defaults }
  if (given === undefined || given === null) return resolved
  const known = [...Object.keys(table.ranges), ...(table.otherKeys ?? [])].join(', ')
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new WeirError('INVALID_CONFIG', `${table.path} must be an object of ${known}`)
  }
  for (const [key, value] of Object.entries(given)) {
    if (!isKey(table.ranges, key)) {
      throw new WeirError('INVALID_CONFIG', `${table.path}.${key} is not ${table.noun}; known: ${known}`)
    }
    if (value === undefined) continue
    const [min, max] = table.ranges[key]
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new WeirError(
        'INVALID_CONFIG',
        `${table.path}.${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
      )
    }
    resolved[key] = value
  }
  return resolved
}

function isKey<Key extends string>(ranges: Readonly<Record<Key, IntegerRange>>, key: string): key is Key {
  return Object.hasOwn(ranges, key)
}
