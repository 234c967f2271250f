// One measured produce or consume of N messages by one client, as the kafka part reports it.
// Consume rows are timed from the first message to the last, so that a KafkaJS consumer's group
// join (FindCoordinator, JoinGroup, SyncGroup; Weir's consumer has no group) is reported beside the
// rate (`startupSeconds`) instead of inside it.
import { megabyteBytes } from '../measurement.js'

export interface ClientRun {
  readonly messages: number
  readonly valueBytes: number
  readonly seconds: number
  readonly messagesPerSecond: number
  readonly megabytesPerSecond: number
  /** Consume only: from creating the consumer to its first message (connect, metadata, group join). */
  readonly startupSeconds?: number
}

export function clientRun(
  messages: number,
  valueBytes: number,
  seconds: number,
  startupSeconds?: number,
): ClientRun {
  return {
    messages,
    valueBytes,
    seconds,
    messagesPerSecond: messages / seconds,
    megabytesPerSecond: (messages * valueBytes) / megabyteBytes / seconds,
    ...(startupSeconds === undefined ? {} : { startupSeconds }),
  }
}

/**
 * Rejects when `progressed()` has not changed for `stallMs`: a consumer that stops receiving must
 * fail the row with a reason, never hang the benchmark.
 */
export function stallWatch(progressed: () => number, stallMs: number, what: string) {
  let last = progressed()
  let timer: NodeJS.Timeout | undefined
  const stalled = new Promise<never>((_resolve, reject) => {
    timer = setInterval(() => {
      const now = progressed()
      if (now === last) reject(new Error(`${what}: no progress for ${stallMs / 1000} s at ${now} messages`))
      last = now
    }, stallMs)
  })
  stalled.catch(() => {})
  return { stalled, stop: () => clearInterval(timer) }
}
