// Bounded waits for tests: an await that could hang fails instead, naming what never happened.

/** `promise`, or a rejection naming `what` once `ms` pass without it settling. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

export interface EventuallyOptions {
  /** Give up after this long. Default 5000. */
  readonly timeoutMs?: number
  /** Time between checks. Default 10. */
  readonly intervalMs?: number
}

/**
 * Resolves with the first truthy result of `check`, polled every `intervalMs`, for state that
 * changes without an event to await; fails naming `what` after `timeoutMs`.
 */
export async function eventually<T>(
  what: string,
  check: () => T | Promise<T>,
  options: EventuallyOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 5000, intervalMs = 10 } = options
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const result = await check()
    if (result) return result as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/**
 * Lets `ms` of real time pass, to show that something does NOT happen in that window. Only for
 * that: anything that does happen has an event or a state to await (withTimeout, eventually).
 */
export function quietPeriod(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
