// A broker about to stop hands every group it leads (partitions and the controller) to an in-sync
// follower first, by Raft leadership transfer, so clients wait for one transfer (a round trip or
// two) instead of an election timeout per partition. Bounded: a group with no fit follower, or
// whose transfer does not finish in time, stays led here and fails over by election after the
// broker stops, as before.
import { type Clock, delay, type Timers } from '@weir/protocol'
import type { Logger } from 'pino'
import type { RaftReplica } from './raft-replica.js'

/** What the hand-off needs of a replica (RaftReplica's). */
export type HandingOver = Pick<RaftReplica, 'group' | 'isLeader' | 'handOff'>

/** How often the transfers are checked (and restarted, the core abandons one after an election timeout). */
const handOffCheckMs = 50

export interface HandOffOutcome {
  /** Groups this broker led at the start and no longer leads. */
  readonly moved: number
  /** Groups still led here at the bound, with why: no fit follower, or the transfer did not finish. */
  readonly stayed: readonly string[]
}

/**
 * Hands every group of `replicas()` this broker leads to a follower, preferring brokers not in
 * `avoid` (draining ones) and falling back to them when no other is fit; resolves when none is led
 * here or after `boundMs`.
 */
export async function handOffLeaders(
  replicas: () => Iterable<HandingOver>,
  avoid: ReadonlySet<number>,
  environment: { readonly clock: Clock; readonly timers: Timers },
  boundMs: number,
): Promise<HandOffOutcome> {
  const { clock, timers } = environment
  const deadline = clock.now() + boundMs
  const led = () => [...replicas()].filter((replica) => replica.isLeader)
  const startCount = led().length
  for (;;) {
    const leading = led()
    if (leading.length === 0 || clock.now() >= deadline) {
      return { moved: startCount - leading.length, stayed: leading.map((replica) => replica.group) }
    }
    for (const replica of leading) replica.handOff(avoid) ?? replica.handOff(new Set())
    await delay(timers, handOffCheckMs)
  }
}

/**
 * One round of a drain: every group led here goes to a follower not in `draining` (the core
 * finishes each transfer on its own). A group with no such follower stays, logged at each round
 * only while it has no target, at debug: `weir broker drain` shows what is still led.
 */
export function handOffDrained(
  replicas: Iterable<HandingOver>,
  draining: ReadonlySet<number>,
  logger: Logger,
): void {
  for (const replica of replicas) {
    if (!replica.isLeader) continue
    const to = replica.handOff(draining)
    if (to === undefined)
      logger.debug({ group: replica.group }, 'draining: no follower to hand this group to yet')
    else logger.debug({ group: replica.group, to }, `draining: handing ${replica.group} to broker ${to}`)
  }
}

/** Logs what a hand-off did: info when everything moved, warn naming what did not. */
export function logHandOff(logger: Logger, outcome: HandOffOutcome, elapsedMs: number, why: string): void {
  const { moved, stayed } = outcome
  if (stayed.length === 0) {
    if (moved > 0)
      logger.info({ moved, elapsedMs }, `${why}: handed leadership of ${moved} groups to followers`)
    return
  }
  logger.warn(
    { moved, stayed: stayed.slice(0, 20), stayedCount: stayed.length, elapsedMs },
    `${why}: ${stayed.length} groups still led here (no in-sync follower took over in time); they fail over by election`,
  )
}
