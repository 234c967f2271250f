// Batches that wait out a retry backoff because their partition had no usable leader (an election
// under way, a leader that stopped answering). Their backoff grows to maxRetryBackoffMs, so after
// the election a batch could sit up to that long before looking again; instead, while any batch
// waits, its topic's metadata is asked for every leaderPollMs (other brokers first) and a batch is
// released as soon as its partition has a reachable leader (other than the one that refused it).
// Polls do not count as attempts. Bounded: one poll per topic at a time, waiters per batch once.
import type { Timer } from '@weir/protocol'
import type { Cluster } from './cluster.js'

/** How often a topic with a batch waiting for a leader is asked for its leaders. */
export const leaderPollMs = 250

export interface LeaderWaiter {
  readonly topic: string
  readonly partition: number
}

interface Waiting {
  readonly refusedBy: number | undefined
  readonly timer: Timer
}

export class LeaderWaits<T extends LeaderWaiter> {
  private readonly waiting = new Map<T, Waiting>()
  private readonly polling = new Set<string>()

  constructor(
    private readonly cluster: Cluster,
    /** Called once per wait: when the backoff ran out or a usable leader appeared first. */
    private readonly ready: (waiter: T) => void,
  ) {}

  /**
   * `waiter` waits `delayMs`, or less if its partition gets a reachable leader sooner;
   * `refusedBy` (the broker that answered NOT_LEADER) does not count as one.
   */
  wait(waiter: T, refusedBy: number | undefined, delayMs: number): void {
    const timers = this.cluster.environment.timers
    this.cancel(waiter)
    const timer = timers.setTimeout(() => this.release(waiter), delayMs)
    this.waiting.set(waiter, { refusedBy, timer })
    this.poll(waiter.topic)
  }

  cancel(waiter: T): void {
    const waiting = this.waiting.get(waiter)
    if (waiting === undefined) return
    this.cluster.environment.timers.clear(waiting.timer)
    this.waiting.delete(waiter)
  }

  private release(waiter: T): void {
    if (!this.waiting.has(waiter)) return
    this.cancel(waiter)
    this.ready(waiter)
  }

  private poll(topic: string): void {
    if (this.polling.has(topic)) return
    this.polling.add(topic)
    this.cluster.environment.timers.setTimeout(() => {
      const refreshed = this.cluster.topic(topic, { refresh: true }).catch(() => undefined)
      void refreshed.then(() => {
        this.polling.delete(topic)
        let still = false
        for (const [waiter, waiting] of this.waiting) {
          if (waiter.topic !== topic) continue
          if (this.usable(waiter, waiting.refusedBy)) this.release(waiter)
          else still = true
        }
        if (still) this.poll(topic)
      })
    }, leaderPollMs)
  }

  private usable(waiter: T, refusedBy: number | undefined): boolean {
    const metadata = this.cluster.cachedTopic(waiter.topic)
    const leader = metadata?.partitions.find((entry) => entry.partition === waiter.partition)?.leader ?? -1
    return leader >= 0 && leader !== refusedBy && !this.cluster.isUnreachable(leader)
  }
}
