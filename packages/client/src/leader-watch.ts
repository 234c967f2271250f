// Notices, while a request waits on a leader, that the partitions moved. A paused (SIGSTOP) broker
// keeps its TCP connection open and never answers, so the request would only end at its timeout
// (requestTimeoutMs + ackTimeoutMs for a Produce: a minute by default). Every leaderCheckMs the
// watch asks the other brokers who leads; once every partition of the request is led by another
// broker in a newer leader epoch (a later Raft term: the old leader can no longer commit anything
// in its own), the request is given up with NOT_LEADER and the caller resends to the new leader.
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
  /** Resolves with the error to give the request up with; never resolves when it is not given up. */
  readonly superseded: Promise<WeirError>
  /** The request settled: no more checks. */
  stop(): void
}

/** `expectedMs`: how long the request may wait anyway (a long-poll Fetch's maxWaitMs); checks start after it. */
export function watchLeadership(
  cluster: Cluster,
  brokerId: number,
  partitions: readonly WatchedPartition[],
  expectedMs = 0,
): LeaderWatch {
  const { timers, clock } = cluster.environment
  const startedAtMs = clock.now()
  let timer: Timer | undefined
  let stopped = false
  let giveUp: (error: WeirError) => void = () => {}
  const superseded = new Promise<WeirError>((resolve) => {
    giveUp = resolve
  })
  const rearm = () => {
    if (!stopped) timer = timers.setTimeout(check, leaderCheckMs)
  }
  const check = () => {
    if (stopped) return
    const topics = [...new Set(partitions.map((entry) => entry.topic))]
    Promise.all(topics.map((topic) => cluster.topic(topic, { refresh: true, avoid: brokerId }))).then(() => {
      if (stopped) return
      const newLeaders = partitions.map((entry) => movedTo(cluster, brokerId, entry))
      if (newLeaders.some((leader) => leader === undefined)) return rearm()
      const waitedMs = clock.now() - startedAtMs
      const where = [...new Set(newLeaders)].map((id) => cluster.describeBroker(id!)).join(', ')
      giveUp(
        new WeirError(
          'NOT_LEADER',
          `${cluster.describeBroker(brokerId)} did not answer in ${waitedMs} ms and no longer leads: ${where} leads in a newer epoch`,
        ),
      )
    }, rearm)
  }
  timer = timers.setTimeout(check, expectedMs + leaderCheckMs)
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
