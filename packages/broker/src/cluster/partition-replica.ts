// What every request handler needs of one partition, whatever the cluster's size: a broker alone
// is a cluster of one whose partitions are one-voter Raft groups, so Produce, Fetch, ListOffsets,
// the group coordinator and admin have one implementation. RaftReplica is the one implementation.
import { WeirError } from '@weir/protocol'
import type { PartitionLog } from '@weir/storage'

export type Acks = 'leader' | 'all'

/**
 * NOT_LEADER from a leader that is handing its group over (SIGTERM, a drain, the preferred-leader
 * handback): the transfer ends within an election timeout, with another leader or, abandoned,
 * with this one leading on. `transferEnded()` says when.
 */
export class LeadershipTransferring extends WeirError {
  constructor(message: string) {
    super('NOT_LEADER', message)
  }
}

export interface PartitionReplica {
  /** `topic/partition`. */
  readonly group: string
  /** The local log: reads, offsets, config. Only the replica writes it. */
  readonly log: PartitionLog
  /** The first offset consumers may not read: everything below is committed by a majority. */
  readonly highWatermark: number
  readonly isLeader: boolean
  /** The leader this replica knows; 0 when none is known. */
  readonly leaderId: number
  /**
   * Appends `batches` (leader only). Resolves `done` once they are in the leader's durable log
   * (acks 'leader') or committed by a majority (acks 'all'). Errors: NOT_LEADER (retriable),
   * BROKER_SHUTTING_DOWN.
   */
  propose(batches: readonly Buffer[], acks: Acks): { baseOffset: number; done: Promise<void> }
  /**
   * Resolves once the entry holding `offset` (in this leader's log) is durable per `acks`, as
   * `propose` would have: a resend of a batch is answered with its original offsets only then.
   * Errors: NOT_LEADER when this replica does not lead or stops leading first (the entry may be
   * replaced), BROKER_SHUTTING_DOWN.
   */
  durableThrough(offset: number, acks: Acks): Promise<void>
  /**
   * Resolves once a leadership transfer that refused a proposal (LeadershipTransferring) has ended
   * with another leader known here, or after an election timeout's worth of waiting (the core
   * abandoned it, or the new leader is slow to speak); never rejects.
   */
  transferEnded(): Promise<void>
  /** Moves the log start of every replica to `offset` (a committed marker); resolves once this one cut. */
  truncatePrefix(offset: number): Promise<void>
  /** Resolves once everything in the log now is committed (a new leader: its earlier terms settled). */
  caughtUp(): Promise<void>
  /** NOT_LEADER naming the leader, for answers from a replica that does not lead. */
  notLeader(reason?: string): WeirError
}
