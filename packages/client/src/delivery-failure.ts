// What a producer says when it gives up on a batch: which partition, after how long or how many
// attempts, and the last thing that went wrong and where (NOT_LEADER from broker 2 at host:port,
// no answer from broker 1 at host:port, no leader known by any broker), so an operator can tell a
// dead broker from an election from a cut network. Pure.
import { WeirError } from '@weir/protocol'

/** One failed attempt, in words: the error and the broker it came from when known. */
export function describeAttempt(error: unknown, broker: string | undefined): string {
  if (!(error instanceof WeirError)) return String(error instanceof Error ? error.message : error)
  const from = broker === undefined ? '' : ` from ${broker}`
  if (error.code === 'REQUEST_TIMED_OUT' && broker !== undefined)
    return `request timed out to ${broker} (${error.message})`
  return `${error.code}${from}: ${error.message}`
}

export interface GivingUp {
  readonly topic: string
  readonly partition: number
  readonly attempts: number
  /** Set when deliveryTimeoutMs ran out; otherwise the retries did. */
  readonly deliveryTimeoutMs?: number
  readonly retries: number
  /** describeAttempt of the last failure. */
  readonly lastAttempt: string
}

/**
 * The error a send rejects with once its batch ran out of time or retries: the last error's code
 * (what the caller would have seen before), with a message that names the partition and why.
 */
export function deliveryError(error: WeirError, givingUp: GivingUp): WeirError {
  const { topic, partition, attempts, deliveryTimeoutMs, retries, lastAttempt } = givingUp
  const limit =
    deliveryTimeoutMs === undefined
      ? `after ${attempts + 1} attempts (retries ${retries})`
      : `within deliveryTimeoutMs (${deliveryTimeoutMs} ms, ${attempts + 1} attempts)`
  return new WeirError(
    error.code,
    `${topic}/${partition} was not acknowledged ${limit}; last error: ${lastAttempt}`,
    {
      cause: error,
    },
  )
}
