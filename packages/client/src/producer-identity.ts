// The idempotent producer's identity: a producerId and epoch from InitProducerId (asked for on the
// first send), and one sequence counter per partition. A batch takes its sequences when it is
// built, once: a retry resends the same bytes, so the partition leader recognises it. Pure apart
// from the injected `init`.
import { type ErrorName, sequenceAfter, WeirError } from '@weir/protocol'

/** What a batch header carries for idempotence. */
export interface BatchStamp {
  readonly producerId: number
  readonly producerEpoch: number
  readonly baseSequence: number
}

interface Identity {
  readonly producerId: number
  readonly producerEpoch: number
}

/**
 * Non-retriable broker answers for which the batch is certainly not in the log: when it is the
 * batch's only attempt, its sequences go to the next batch. After any other terminal failure (a
 * timeout, a dropped connection, retries run out, a gap the broker reported) the producer cannot
 * know the broker's sequences and takes a new producerId.
 */
const notWrittenErrors: ReadonlySet<ErrorName> = new Set([
  'MESSAGE_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TOPIC',
  'UNKNOWN_PARTITION',
  'INVALID_REQUEST',
  'UNSUPPORTED_VERSION',
  'UNAUTHORIZED',
])

export class ProducerIdentity {
  private identity: Identity | undefined
  private initializing: Promise<void> | undefined
  /** Next sequence per topic, per partition. */
  private readonly sequences = new Map<string, number[]>()
  /** Partitions ("topic\u0000partition") whose leader acknowledged a batch of the current producerId. */
  private readonly known = new Set<string>()

  constructor(private readonly init: () => Promise<Identity>) {}

  /** True once a producerId is held: batches can be stamped without waiting. */
  get ready(): boolean {
    return this.identity !== undefined
  }

  /** Gets a producerId when none is held. Errors: those of `init` (already retried there). */
  ensure(): Promise<void> {
    if (this.identity !== undefined) return Promise.resolve()
    this.initializing ??= this.init().then(
      (identity) => {
        this.identity = identity
        this.initializing = undefined
      },
      (error: unknown) => {
        this.initializing = undefined
        throw error
      },
    )
    return this.initializing
  }

  /** The header fields of a batch of `recordCount` records built now; advances the partition's sequence. */
  stamp(topic: string, partition: number, recordCount: number): BatchStamp {
    const identity = this.identity
    if (identity === undefined) throw new Error('assertion: stamp before ensure() resolved')
    const partitions = this.partitionsOf(topic)
    const baseSequence = partitions[partition] ?? 0
    partitions[partition] = sequenceAfter(baseSequence, recordCount)
    return { producerId: identity.producerId, producerEpoch: identity.producerEpoch, baseSequence }
  }

  /**
   * The leader acknowledged a batch stamped `stamp`: it now knows this producerId, so it refuses a
   * gap in its sequences (a producerId a leader does not know is accepted at any sequence).
   */
  acknowledged(topic: string, partition: number, stamp: BatchStamp): void {
    if (this.identity?.producerId === stamp.producerId) this.known.add(partitionKey(topic, partition))
  }

  /**
   * Whether several batches of the partition may be in flight: only once its leader knows the
   * producerId, else a batch behind a first one that failed could be written without it.
   */
  knownBy(topic: string, partition: number): boolean {
    return this.known.has(partitionKey(topic, partition))
  }

  /**
   * A stamped batch of `recordCount` records failed for good. When the broker certainly did not
   * write it and no later batch of its partition was stamped yet, its sequences go to the next
   * batch; otherwise (the broker's view is unknown, or batches stamped after it would leave a gap)
   * the next batch takes a new producerId.
   */
  failed(
    topic: string,
    partition: number,
    stamp: BatchStamp,
    recordCount: number,
    error: unknown,
    onlyAttempt: boolean,
  ): void {
    if (this.identity?.producerId !== stamp.producerId) return // already replaced
    const partitions = this.partitionsOf(topic)
    const last = partitions[partition] === sequenceAfter(stamp.baseSequence, recordCount)
    if (last && onlyAttempt && error instanceof WeirError && notWrittenErrors.has(error.code)) {
      partitions[partition] = stamp.baseSequence
      return
    }
    this.identity = undefined
    this.sequences.clear()
    this.known.clear()
  }

  private partitionsOf(topic: string): number[] {
    let partitions = this.sequences.get(topic)
    if (partitions === undefined) {
      partitions = []
      this.sequences.set(topic, partitions)
    }
    return partitions
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
