// The vocabulary shared by the core and its host: entries, hard state, messages, Ready.
// Indexes are partition-log offsets: an entry (one record batch) covers `span` consecutive indexes.

/** A replica's id; always > 0. `0` means "none" (no leader, no vote). */
export type NodeId = number

export const EntryKind = { normal: 'normal', noop: 'noop', config: 'config' } as const
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind]

/** One Raft entry: covers [index, index + span - 1]; the next entry starts at index + span. */
export interface Entry {
  readonly index: number
  readonly term: number
  readonly span: number
  readonly kind: EntryKind
  readonly data: Uint8Array
}

/** Where a term's entries begin. Runs are sorted by startIndex and strictly increasing in term. */
export interface TermRun {
  readonly term: number
  readonly startIndex: number
}

/** What must be fsynced before any message of the same Ready is sent. */
export interface HardState {
  readonly term: number
  readonly vote: NodeId
  readonly commit: number
}

export interface ClusterConfig {
  readonly voters: readonly NodeId[]
}

export interface RaftOptions {
  readonly id: NodeId
  /** The randomized election timeout is drawn from [electionTicks, 2 * electionTicks). */
  readonly electionTicks: number
  readonly heartbeatTicks: number
  /** Uniform in [0, 1); the only source of randomness of the core. */
  readonly random: () => number
  /** Default true. */
  readonly preVote?: boolean
  /** Default true. */
  readonly checkQuorum?: boolean
  /** Appends in flight per follower in the replicate state; default 64. */
  readonly maxInflightMessages?: number
  /** Default 256. */
  readonly maxEntriesPerMessage?: number
  /** Sum of data lengths per append; default 1 MiB; one entry is always sent even if larger. */
  readonly maxBytesPerMessage?: number
  /** Payload bytes kept in memory for sending appends; default 64 MiB. */
  readonly windowBytesMax?: number
}

/** The log up to the commit index as the core sees it (RaftNode.committedPrefix()). */
export interface CommittedPrefix {
  /** The commit index: the prefix is every entry up to and including it. */
  readonly through: number
  /** Term runs over [firstIndex, through]. */
  readonly termRuns: readonly TermRun[]
  /** The config in force at `through`. */
  readonly config: ClusterConfig
}

/**
 * What the host read back from disk at start. Offsets start at 0: a new log has firstIndex 0,
 * lastIndex -1, no runs and no tail; the empty prefix is index firstIndex - 1 with term 0.
 */
export interface RestoredState {
  /** All zero for a brand new node. */
  readonly hardState: HardState
  /** The latest config in the log, or the initial one. */
  readonly config: ClusterConfig
  /** Log start: entries below are gone. */
  readonly firstIndex: number
  /** Last index present; firstIndex - 1 when the log is empty. */
  readonly lastIndex: number
  /** Runs covering [firstIndex, lastIndex]. */
  readonly termRuns: readonly TermRun[]
  /** Whole entries ending at lastIndex, covering at least everything above hardState.commit. */
  readonly tail: readonly Entry[]
  /**
   * The log once held entries up to here and lost some (a corrupt segment was cut): until it holds
   * this index again the node grants no vote or pre-vote, never campaigns and ignores timeoutNow,
   * since its vote could elect a leader that lacks committed entries. Absent: nothing was lost.
   */
  readonly repairThrough?: number
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader'

export interface SoftState {
  readonly leaderId: NodeId
  readonly role: Role
  readonly term: number
}

export interface SnapshotInfo {
  /** The leader's log is what the follower must hold up to here; committed on the leader; an entry end. */
  readonly index: number
  /** Term of the entry containing index. */
  readonly term: number
  /** The leader's log start. */
  readonly firstIndex: number
  /** The leader's runs covering [firstIndex, index]. */
  readonly termRuns: readonly TermRun[]
  /** The config in effect at index. */
  readonly config: ClusterConfig
}

export type Message =
  | {
      type: 'append'
      from: NodeId
      to: NodeId
      term: number
      prevIndex: number
      prevTerm: number
      entries: readonly Entry[]
      commit: number
    }
  | {
      type: 'appendResponse'
      from: NodeId
      to: NodeId
      term: number
      success: boolean
      matchIndex: number
      rejectedPrevIndex: number
      hintIndex: number
      hintTerm: number
    }
  | { type: 'heartbeat'; from: NodeId; to: NodeId; term: number; commit: number }
  | {
      type: 'heartbeatResponse'
      from: NodeId
      to: NodeId
      term: number
      /**
       * The follower's last index. Below the leader's recorded match it means the follower lost
       * entries it had acknowledged (a wiped disk): the leader probes it again.
       */
      lastIndex: number
    }
  | {
      type: 'preVote' | 'vote'
      from: NodeId
      to: NodeId
      term: number
      lastIndex: number
      lastTerm: number
      transfer: boolean
    }
  | { type: 'preVoteResponse' | 'voteResponse'; from: NodeId; to: NodeId; term: number; granted: boolean }
  | { type: 'snapshot'; from: NodeId; to: NodeId; term: number; snapshot: SnapshotInfo }
  | { type: 'timeoutNow'; from: NodeId; to: NodeId; term: number }

/** In Ready: the host must make its log equal the leader's up to snapshot.index. */
export interface Restore {
  readonly leaderId: NodeId
  /**
   * Last index where this log agrees with the leader's (by term runs). The host truncates everything
   * after it; if keepThrough < snapshot.firstIndex - 1 it drops the whole log and restarts it at
   * snapshot.firstIndex.
   */
  readonly keepThrough: number
  /**
   * The host then copies (keepThrough, snapshot.index] from the leader and calls restored(snapshot),
   * or, if it cannot, cuts any partial copy back to keepThrough and calls restoreFailed().
   */
  readonly snapshot: SnapshotInfo
}

/**
 * What the host must do, in this order: delete entries >= truncateFrom; append entries; start the
 * restore (its truncation happens now, the copy may finish later); persist hardState; fsync all of
 * it; send messages; apply committed; then call advance(ready). The hard state goes after the log:
 * a commit persisted ahead of the entries it covers could, after a crash, vouch for stale entries
 * that the same Ready was replacing.
 */
export interface Ready {
  /** Only when changed. */
  readonly softState?: SoftState
  /** Only when changed; persist (fsync) after the log changes below and before sending messages. */
  readonly hardState?: HardState
  /** Delete own log entries with index >= this before appending `entries`. */
  readonly truncateFrom?: number
  /** Append durably before sending `messages`. */
  readonly entries: readonly Entry[]
  readonly restore?: Restore
  /** Newly committed entries, in order, for the host to apply. */
  readonly committed: readonly Entry[]
  /** The current commit index (high watermark). */
  readonly commitIndex: number
  /** Send after hardState and entries are durable. */
  readonly messages: readonly Message[]
}

export type ProposeResult =
  | { readonly ok: true; readonly firstIndex: number; readonly lastIndex: number; readonly term: number }
  | {
      readonly ok: false
      readonly leaderId: NodeId
      readonly reason: 'notLeader' | 'transferring' | 'configChangePending'
    }

export type ProgressState = 'probe' | 'replicate' | 'snapshot'

export interface ProgressView {
  readonly match: number
  readonly next: number
  readonly state: ProgressState
  readonly inflight: number
}
