// Notices, while a request waits on a leader, that the partitions moved. A paused (SIGSTOP) broker
// keeps its TCP connection open and never answers, so the request would only end at its timeout
// (requestTimeoutMs + ackTimeoutMs for a Produce: a minute by default). Every leaderCheckMs the
// watch asks the other brokers who leads; each partition of the request found led by another
// broker in a newer leader epoch (a later Raft term: the old leader can no longer commit anything
// in its own) is reported (`moved`) for the caller to resend to its new leader, and once all are
// the request is given up (NOT_LEADER).
// Idempotent batches are then written once either way (the new leader knows their sequences if
// the old one replicated them). Nothing is given up on the word of a broker that sends no epoch.
import { type Timer, WeirError } from '@weir/protocol'
import type { Cluster } from './cluster.js'

/** How often a request that has not been answered checks whether its partitions moved. */
export const leaderCheckMs = 500

export interface WatchedPartition {
  readonly topic: string
  readonly partition: number
  /** The leader epoch the request was sent under (from metadata); undefined: never given up. */
  readonly leaderEpoch: number | undefined
}

export interface LeaderWatch {
  /** Resolves once every partition moved, with the error to give the request up with; never otherwise. */
  readonly superseded: Promise<WeirError>
  /** The request settled: no more checks. */
  stop(): void
}

export interface WatchOptions {
  /** How long the request may wait anyway (a long-poll Fetch's maxWaitMs); checks start after it. */
  readonly expectedMs?: number
  /** Partitions (indexes into `partitions`) found moved, each reported once, with why. */
  readonly moved?: (indexes: readonly number[], error: WeirError) => void
}

export function watchLeadership(
  cluster: Cluster,
  brokerId: number,
  partitions: readonly WatchedPartition[],
  options: WatchOptions = {},
): LeaderWatch {
  const { timers, clock } = cluster.environment
  const startedAtMs = clock.now()
  const reported = new Set<number>()
  let timer: Timer | undefined
  let stopped = false
  let giveUp: (error: WeirError) => void = () => {}
  const superseded = new Promise<WeirError>((resolve) => {
    giveUp = resolve
  })
  const rearm = () => {
    if (!stopped) timer = timers.setTimeout(check, leaderCheckMs)
  }
  const report = () => {
    const fresh: number[] = []
    const newLeaders = new Set<number>()
    partitions.forEach((entry, index) => {
      const leader = reported.has(index) ? undefined : movedTo(cluster, brokerId, entry)
      if (leader === undefined) return
      fresh.push(index)
      newLeaders.add(leader)
      reported.add(index)
    })
    if (fresh.length === 0) return rearm()
    const where = [...newLeaders].map((id) => cluster.describeBroker(id)).join(', ')
    const error = new WeirError(
      'NOT_LEADER',
      `${cluster.describeBroker(brokerId)} did not answer in ${clock.now() - startedAtMs} ms and no longer leads: ${where} leads in a newer epoch`,
    )
    options.moved?.(fresh, error)
    if (reported.size === partitions.length) giveUp(error)
    else rearm()
  }
  const check = () => {
    if (stopped) return
    const topics = [...new Set(partitions.map((entry) => entry.topic))]
    Promise.all(topics.map((topic) => cluster.topic(topic, { refresh: true, avoid: brokerId }))).then(() => {
      if (!stopped) report()
    }, rearm)
  }
  timer = timers.setTimeout(check, (options.expectedMs ?? 0) + leaderCheckMs)
  return {
    superseded,
    stop: () => {
      stopped = true
      timers.clear(timer)
    },
  }
}

/** The partition's new leader when metadata names another broker in a newer epoch, else undefined. */
function movedTo(cluster: Cluster, brokerId: number, entry: WatchedPartition): number | undefined {
  if (entry.leaderEpoch === undefined) return undefined
  const now = cluster.cachedTopic(entry.topic)?.partitions.find((p) => p.partition === entry.partition)
  if (now === undefined || now.leader < 0 || now.leader === brokerId) return undefined
  return now.leaderEpoch !== undefined && now.leaderEpoch > entry.leaderEpoch ? now.leader : undefined
}
