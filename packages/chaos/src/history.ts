// What a chaos run records, and what the checker reads: plain data, no I/O. Times are ms since the
// epoch (one clock: the chaos process's).

/** A send the broker acknowledged (acks all): the value is committed at (partition, offset). */
export interface Ack {
  readonly producer: string
  readonly sequence: number
  readonly value: string
  readonly partition: number
  readonly offset: number
  readonly timeMs: number
}

/** A send that failed for good: the value may or may not be in the log (never counted as lost). */
export interface SendFailure {
  readonly producer: string
  readonly sequence: number
  readonly value: string
  readonly partition: number
  readonly timeMs: number
  readonly error: string
}

/** A record a group member polled. `session` changes each time the member is given the partition. */
export interface Poll {
  readonly member: string
  readonly session: number
  readonly partition: number
  readonly offset: number
  readonly value: string
  readonly timeMs: number
}

/** An offset commit the coordinator acknowledged, in acknowledgement order. */
export interface Commit {
  readonly member: string
  readonly partition: number
  readonly offset: number
  readonly timeMs: number
}

/** One record of the read from the start of every partition after healing. */
export interface FinalRecord {
  readonly partition: number
  readonly offset: number
  readonly value: string
}

/** A fault put on the cluster (or taken off it): the moments failover is measured from. */
export interface FaultEvent {
  readonly timeMs: number
  readonly description: string
  /** True for faults that can move or stop a leader (false for heals and harmless steps). */
  readonly disruptive: boolean
}

/** One partition's replicas compared byte for byte below its committed end, brokers stopped. */
export interface ReplicaReport {
  readonly partition: number
  readonly committedEnd: number
  readonly brokers: readonly number[]
  /** Offsets where two replicas hold different batch bytes. */
  readonly disagreements: readonly { offset: number; brokers: readonly number[] }[]
  /** Replicas that hold less than the committed prefix (`heldEnd` is where theirs stops). */
  readonly behind: readonly { broker: number; heldEnd: number }[]
}

export interface History {
  readonly partitions: number
  readonly startMs: number
  readonly endMs: number
  readonly acks: readonly Ack[]
  readonly failures: readonly SendFailure[]
  readonly polls: readonly Poll[]
  readonly commits: readonly Commit[]
  /** Every partition read from its start up to its high watermark after healing. */
  readonly finalRead: readonly FinalRecord[]
  /** Why the final read stopped short, if it did: acked values it did not reach count as lost. */
  readonly finalReadProblem: string | undefined
  readonly replicas: readonly ReplicaReport[]
  readonly faults: readonly FaultEvent[]
}
