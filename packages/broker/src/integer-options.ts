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
  /**
   * Deprecated spellings still accepted, each naming the key it stands for. The new key wins when
   * both are given; a bad value is reported under the spelling the caller wrote.
   */
  readonly deprecatedAliases?: Readonly<Record<string, NoInfer<Key>>>
}

/**
 * Fills `table.defaults` with the integers of `given`, each checked against its range; a key set
 * to undefined keeps its default; a deprecated alias counts as its key unless that key is given
 * too. Errors (INVALID_CONFIG, naming path, key, range and value): a `given` that is not an
 * object, an unknown key, a value that is not an integer in range.
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
  const fields = new Map<string, unknown>(Object.entries(given))
  for (const [written, value] of fields) {
    const key = keyOf(table, written)
    if (key === undefined) {
      throw new WeirError('INVALID_CONFIG', `${table.path}.${written} is not ${table.noun}; known: ${known}`)
    }
    if (value === undefined || (key !== written && fields.get(key) !== undefined)) continue
    const [min, max] = table.ranges[key]
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new WeirError(
        'INVALID_CONFIG',
        `${table.path}.${written} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
      )
    }
    resolved[key] = value
  }
  return resolved
}

/** The table key `written` stands for: itself, or the key a deprecated alias names. */
function keyOf<Key extends string>(table: IntegerOptionsTable<Key>, written: string): Key | undefined {
  if (isKey(table.ranges, written)) return written
  const aliases = table.deprecatedAliases
  return aliases !== undefined && Object.hasOwn(aliases, written) ? aliases[written] : undefined
}

function isKey<Key extends string>(ranges: Readonly<Record<Key, IntegerRange>>, key: string): key is Key {
  return Object.hasOwn(ranges, key)
}
