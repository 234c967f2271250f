// Option checks shared by every constructor: a bad limit is an INVALID_CONFIG naming the option and
// its allowed range, raised when the object is built rather than when the limit is first hit.
import { WeirError } from '@weir/protocol'

export { backoffMs } from '@weir/protocol'

/** Returns `value ?? fallback` after checking it is an integer in [min, max]. */
export function integerOption(
  owner: string,
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const chosen = value ?? fallback
  if (typeof chosen !== 'number' || !Number.isInteger(chosen) || chosen < min || chosen > max) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${owner} option ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    )
  }
  return chosen
}

/**
 * The key and value of option `name`, or of its deprecated alias `deprecatedName` when only that
 * is given: the new name wins when both are. Spread into integerOption, so a bad value is reported
 * under the key the caller wrote.
 */
export function renamedOption<O, N extends keyof O & string, D extends keyof O & string>(
  options: O,
  name: N,
  deprecatedName: D,
): [name: string, value: O[N] | O[D]] {
  if (options[name] !== undefined || options[deprecatedName] === undefined) return [name, options[name]]
  return [deprecatedName, options[deprecatedName]]
}

export function oneOfOption<T extends string>(
  owner: string,
  name: string,
  value: T | undefined,
  fallback: T,
  allowed: readonly T[],
): T {
  const chosen = value ?? fallback
  if (!allowed.includes(chosen)) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${owner} option ${name} must be one of ${allowed.map((item) => `'${item}'`).join(', ')}, got ${JSON.stringify(value)}`,
    )
  }
  return chosen
}
