// Option checks shared by every constructor: a bad limit is an INVALID_CONFIG naming the option and
// its allowed range, raised when the object is built rather than when the limit is first hit.
import { WeirError } from '@weir/protocol'

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

/** Exponential backoff without jitter randomness inside: attempt 0 waits `initialMs`. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30))
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
