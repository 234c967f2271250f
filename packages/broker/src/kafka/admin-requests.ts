// What Kafka's CreateTopics and DeleteTopics share around the native calls: a topic named twice in
// one request is refused (Kafka answers INVALID_REQUEST rather than guess which entry was meant),
// and the request's timeoutMs bounds the wait for each topic.
import { type Environment, WeirError } from '@weir/protocol'
import { withTimeout } from '../environment.js'

/** Names that appear more than once. */
export function namedTwice(names: readonly string[]): ReadonlySet<string> {
  const seen = new Set<string>()
  const twice = new Set<string>()
  for (const name of names) (seen.has(name) ? twice : seen).add(name)
  return twice
}

export function namedTwiceError(name: string, api: string): WeirError {
  return new WeirError(
    'INVALID_REQUEST',
    `topic ${name} is named more than once in this ${api} request; name each topic once`,
  )
}

/**
 * Kafka's timeoutMs: how long the client waits for one topic's change. Past it the answer is
 * REQUEST_TIMED_OUT while the change goes on (it is already proposed to the controller). 0 or
 * less: no bound but the broker's own requestTimeoutMs.
 */
export function boundedBy<T>(
  work: Promise<T>,
  timeoutMs: number,
  what: string,
  environment: Pick<Environment, 'timers'>,
): Promise<T> {
  if (timeoutMs <= 0) return work
  const late = () =>
    new WeirError(
      'REQUEST_TIMED_OUT',
      `${what} did not finish within the request's timeoutMs (${timeoutMs} ms); it may still: check with Metadata, or give a longer timeout`,
    )
  return withTimeout(environment, work, timeoutMs, late)
}
