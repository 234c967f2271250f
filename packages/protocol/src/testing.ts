// `@weir/protocol/testing`: bounded waits for the tests of every package, so an await that could
// hang fails instead, naming what never happened. Real time (Node's clock and timers): tests on
// simulated time await their SimulatedTime instead. Not part of the public entry point.
import { delay, nodeClock, nodeTimers, type Timer } from './environment.js'

/**
 * What a wait is for, in words ("the follower's log to reach offset 9"). A function is asked only
 * when the wait times out, so the message can say what was seen instead ("reached 7").
 */
export type WaitDescription = string | (() => string)

const describe = (what: WaitDescription) => (typeof what === 'string' ? what : what())

/** `promise`, or a rejection naming `what` once `ms` pass without it settling. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: WaitDescription): Promise<T> {
  let timer: Timer | undefined
  const late = new Promise<never>((_, reject) => {
    timer = nodeTimers.setTimeout(
      () => reject(new Error(`timed out after ${ms} ms waiting for ${describe(what)}`)),
      ms,
    )
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    nodeTimers.clear(timer)
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
 * changes without an event to await; fails naming `what` after `timeoutMs`, also when one check
 * never settles (a request to a broker that stopped answering).
 */
export async function eventually<T>(
  what: WaitDescription,
  check: () => T | Promise<T>,
  options: EventuallyOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 5000, intervalMs = 10 } = options
  const deadline = nodeClock.now() + timeoutMs
  const timedOut = () => new Error(`timed out after ${timeoutMs} ms waiting for ${describe(what)}`)
  for (;;) {
    const left = deadline - nodeClock.now()
    const result = await withTimeout(Promise.resolve(check()), Math.max(1, left), what).catch((error) => {
      if (nodeClock.now() >= deadline) throw timedOut()
      throw error
    })
    if (result) return result as NonNullable<T>
    if (nodeClock.now() > deadline) throw timedOut()
    await delay(nodeTimers, intervalMs)
  }
}

/**
 * Lets `ms` of real time pass, to show that something does NOT happen in that window. Only for
 * that: anything that does happen has an event or a state to await (withTimeout, eventually).
 */
export function quietPeriod(ms: number): Promise<void> {
  return delay(nodeTimers, ms)
}
