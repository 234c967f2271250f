// The table every broker keeps of its peers from their heartbeats: id -> reported state, progress,
// when the last heartbeat arrived. A peer is `down` once none arrived for brokerDownAfterMs (3 s,
// three missed heartbeats), or before any did. Pure: the caller passes the time.
import { type BrokerState, BrokerStates, brokerDownAfterMs, type ReportedBrokerState } from '@weir/protocol'

export interface PeerHeartbeat {
  readonly state: ReportedBrokerState
  readonly progressPercent: number
  readonly atMs: number
}

export interface LivenessRow {
  readonly id: number
  readonly state: BrokerState
  readonly progressPercent: number
  /** Ms since the last heartbeat: 0 for this broker, -1 when none ever arrived. */
  readonly lastHeartbeatMs: number
}

export class BrokerLiveness {
  private readonly heard = new Map<number, PeerHeartbeat>()

  private readonly brokerIdsNow: () => readonly number[]

  /**
   * `brokerIds`: every broker of the cluster, this one included; only they are kept. A function
   * when membership changes at runtime (`weir cluster add-broker` / `remove-broker`).
   */
  constructor(
    private readonly selfId: number,
    brokerIds: readonly number[] | (() => readonly number[]),
  ) {
    this.brokerIdsNow = typeof brokerIds === 'function' ? brokerIds : () => brokerIds
  }

  private get brokerIds(): readonly number[] {
    return this.brokerIdsNow()
  }

  /** A heartbeat of `id` arrived at `atMs`; one from a broker outside the cluster is ignored. */
  heartbeat(id: number, state: ReportedBrokerState, progressPercent: number, atMs: number): void {
    if (id === this.selfId || !this.brokerIds.includes(id)) return
    const previous = this.heard.get(id)
    if (previous !== undefined && previous.atMs > atMs) return
    this.heard.set(id, { state, progressPercent, atMs })
  }

  /** Every broker in id order; this broker as `self` says now. */
  rows(nowMs: number, self: { state: ReportedBrokerState; progressPercent: number }): LivenessRow[] {
    return [...this.brokerIds]
      .sort((a, b) => a - b)
      .map((id) => {
        if (id === this.selfId) return { id, ...self, lastHeartbeatMs: 0 }
        const last = this.heard.get(id)
        if (last === undefined)
          return { id, state: BrokerStates.down, progressPercent: 0, lastHeartbeatMs: -1 }
        const sinceMs = Math.max(0, nowMs - last.atMs)
        const state = sinceMs > brokerDownAfterMs ? BrokerStates.down : last.state
        return { id, state, progressPercent: last.progressPercent, lastHeartbeatMs: sinceMs }
      })
  }
}
