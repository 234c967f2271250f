// The leader's view of one follower (etcd's tracker.Progress): how far it matches, what to send next,
// and how many appends may be in flight.
import type { ProgressState } from './types.js'

export class Progress {
  /** Highest index known to match the leader's log; always an entry end (-1: nothing known). */
  match: number
  /** Start of the next entry to send; always an entry start in the leader's log. */
  next: number
  state: ProgressState = 'probe'
  /** Probe state: an append is out and we wait for its answer (or a heartbeat answer). */
  paused = false
  /** Replicate state: last index of each append in flight, ascending. */
  inflight: number[] = []
  /** Snapshot state: the index being restored and the ticks spent waiting. */
  pendingSnapshot = -1
  snapshotTicks = 0
  /** Heard from since the last check-quorum round. */
  recentActive = true
  /** Heartbeat rounds in which the follower's match did not move while appends were in flight. */
  stalledRounds = 0
  matchAtLastRound = -1

  constructor(match: number, next: number) {
    this.match = match
    this.next = next
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') this.next = Math.max(this.match + 1, this.next)
    this.state = 'probe'
    this.paused = false
    this.inflight = []
    this.pendingSnapshot = -1
    this.stalledRounds = 0
  }

  becomeReplicate(): void {
    this.state = 'replicate'
    this.next = this.match + 1
    this.paused = false
    this.inflight = []
    this.pendingSnapshot = -1
    this.stalledRounds = 0
  }

  becomeSnapshot(index: number): void {
    this.state = 'snapshot'
    this.inflight = []
    this.pendingSnapshot = index
    this.snapshotTicks = 0
  }

  /** A success up to `index`; false when stale. */
  maybeUpdate(index: number): boolean {
    let updated = false
    if (index > this.match) {
      this.match = index
      updated = true
      this.paused = false
    }
    this.next = Math.max(this.next, index + 1)
    let freed = 0
    while (freed < this.inflight.length && this.inflight[freed]! <= index) freed++
    if (freed > 0) this.inflight.splice(0, freed)
    return updated
  }

  isPaused(maxInflight: number): boolean {
    if (this.state === 'probe') return this.paused
    if (this.state === 'snapshot') return true
    return this.inflight.length >= maxInflight
  }

  /** Records an append ending at lastIndex that was just sent. */
  sent(lastIndex: number): void {
    if (this.state === 'replicate') {
      this.next = lastIndex + 1
      this.inflight.push(lastIndex)
    } else if (this.state === 'probe') {
      this.paused = true
    }
  }
}
