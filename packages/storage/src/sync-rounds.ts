// Group commit across logs. Every log of a data directory that needs an fsync joins the next
// round; a round starts the fsyncs of all its logs together and the next round starts only when
// the whole round finished. Logs that want a sync while a round runs share the next one, so many
// busy partitions on one disk make one burst of fsyncs per round (which the filesystem journal
// merges into few commits) instead of each partition syncing on its own schedule.
// A log's waiters are released as soon as its own fsync finished, not at the end of the round.
import { nodeTimers, type Timers } from '@weir/protocol'

interface Job {
  readonly sync: () => Promise<number>
  readonly resolve: (endOffset: number) => void
  readonly reject: (error: unknown) => void
}

export interface SyncRoundStats {
  /** Rounds run so far. */
  readonly rounds: number
  /** Log fsyncs run so far, over all rounds. */
  readonly syncs: number
  /** The most log fsyncs one round carried. */
  readonly largestRound: number
}

/**
 * Told how long each log's fsync in a round took (the broker's fsync latency histogram). `now` is
 * the observer's own monotonic clock in milliseconds: storage measures nothing by itself.
 */
export interface SyncObserver {
  readonly now: () => number
  readonly synced: (durationMs: number) => void
}

export class SyncRounds {
  private pending: Job[] = []
  private running = false
  private scheduled = false
  private rounds = 0
  private syncs = 0
  private largestRound = 0

  /** `timers.defer` gathers one turn's fsyncs into a round (Node's setImmediate by default). */
  constructor(
    private readonly timers: Pick<Timers, 'defer'> = nodeTimers,
    private readonly observer?: SyncObserver,
  ) {}

  /** Runs `sync` (one log's fsync) in the next round; settles when that fsync does. */
  join(sync: () => Promise<number>): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push({ sync, resolve, reject })
      this.schedule()
    })
  }

  stats(): SyncRoundStats {
    return { rounds: this.rounds, syncs: this.syncs, largestRound: this.largestRound }
  }

  private schedule(): void {
    if (this.running || this.scheduled) return
    this.scheduled = true
    // One turn of the event loop lets every log written in this turn join the round.
    this.timers.defer(() => void this.round())
  }

  private async round(): Promise<void> {
    this.scheduled = false
    this.running = true
    const jobs = this.pending
    this.pending = []
    this.rounds++
    this.syncs += jobs.length
    this.largestRound = Math.max(this.largestRound, jobs.length)
    await Promise.all(
      jobs.map((job) => {
        let started: Promise<number>
        const startedMs = this.observer?.now()
        try {
          started = job.sync()
        } catch (error) {
          started = Promise.reject(error)
        }
        if (this.observer !== undefined && startedMs !== undefined) {
          const { observer } = this
          started = started.finally(() => observer.synced(observer.now() - startedMs))
        }
        return started.then(job.resolve, job.reject)
      }),
    )
    this.running = false
    if (this.pending.length > 0) this.schedule()
  }
}

/** Runs each sync at once: a log opened on its own, outside any data directory's rounds. */
export const syncAlone = { join: (sync: () => Promise<number>) => sync() }

export type SyncScheduler = Pick<SyncRounds, 'join'>
