// What a broker says of itself in its heartbeats: alive, draining, or catching up with how much of
// the committed data of its replicas it holds. Pure: the cluster hands in, per hosted replica (the
// controller log included), what it holds and what its leader has committed, as far as it knows.
import { BrokerStates, type ReportedBrokerState } from '@weir/protocol'

export interface ReplicaCatchUp {
  /** Offsets of the committed log this replica holds: [logStart, min(logEnd, target)). */
  readonly heldOffsets: number
  /** Offsets of the leader's committed log from this replica's log start: [logStart, target). */
  readonly committedOffsets: number
  /** Its leader lists it in sync: what it holds is enough, whatever the lag of the moment. */
  readonly inSync: boolean
  /**
   * A leader has spoken to it since this broker started (or it leads). Before that it cannot know
   * what is committed: an empty (wiped) log would look complete.
   */
  readonly leaderHeard: boolean
}

export interface BrokerStateInput {
  /** Leadership is being moved away (`weir broker drain`); wins over catching up. */
  readonly draining?: boolean
  readonly replicas: Iterable<ReplicaCatchUp>
}

export interface ReportedState {
  readonly state: ReportedBrokerState
  /** 0..100; 100 unless catching up, and never 100 while catching up. */
  readonly progressPercent: number
}

/**
 * Catching up while some replica its leader does not count in sync holds less than the leader
 * committed, or has not heard from a leader yet; the percentage is held over committed offsets
 * summed over every replica (a replica in sync counts as whole). By offsets, not bytes: records of
 * one topic weigh alike.
 */
export function brokerState(input: BrokerStateInput): ReportedState {
  let held = 0
  let committed = 0
  let behind = false
  for (const replica of input.replicas) {
    const total = Math.max(0, replica.committedOffsets)
    const has = replica.inSync ? total : Math.min(total, Math.max(0, replica.heldOffsets))
    if (has < total || !replica.leaderHeard) behind = true
    held += has
    committed += total
  }
  if (input.draining === true) return { state: BrokerStates.draining, progressPercent: 100 }
  if (!behind) return { state: BrokerStates.alive, progressPercent: 100 }
  const percent = committed === 0 ? 0 : Math.floor((100 * held) / committed)
  return { state: BrokerStates.catchingUp, progressPercent: Math.min(99, percent) }
}
