// Idempotent-producer state of one partition: for each producerId, its epoch and its last few
// batches (sequences and offsets), so the partition leader can tell a resent batch from a new one.
// Pure: no I/O, timers or clocks. The produce path calls check → begin → complete/abort around each
// append; batches that enter the log another way (a Raft follower appending the leader's entries, a
// recovery scan) are fed to observe, so every replica holds the same table and a new leader after
// failover deduplicates exactly as the old one did. Kafka's ProducerStateManager is the model.
import {
  batchSizeAt,
  lastSequenceOf,
  noProducerId,
  readBatchHeader,
  sequenceAfter,
  WeirError,
} from '@weir/protocol'

/** The batch header fields deduplication looks at. */
export interface ProducerBatchHeader {
  readonly producerId: number
  readonly producerEpoch: number
  readonly baseSequence: number
  readonly recordCount: number
}

export interface BatchOffsets {
  readonly baseOffset: number
  readonly lastOffset: number
}

export type CheckResult =
  | { readonly kind: 'append' }
  | ({ readonly kind: 'duplicate' } & BatchOffsets)
  | { readonly kind: 'pending'; readonly wait: Promise<BatchOffsets> }

/** A batch accepted by check and begun, not yet completed or aborted. Opaque to callers. */
export interface InFlightToken {
  readonly producerId: number
  readonly producerEpoch: number
  readonly baseSequence: number
  readonly lastSequence: number
}

/** Batches remembered per producer, as in Kafka: a client keeps at most this many in flight. */
export const producerBatchesMax = 5
/**
 * Producers remembered per partition. Past it the least recently written one is forgotten; its next
 * batch is then accepted at any sequence (an unknown producer), which can duplicate only a retry of
 * a batch older than every other producer's activity since.
 */
export const producersPerPartitionMax = 10_000

interface StoredBatch extends BatchOffsets {
  readonly baseSequence: number
  readonly lastSequence: number
}

interface InFlight extends InFlightToken {
  readonly waiters: Array<{ resolve: (offsets: BatchOffsets) => void; reject: (error: unknown) => void }>
}

interface ProducerEntry {
  epoch: number
  /** Completed batches, oldest first, at most producerBatchesMax. */
  readonly batches: StoredBatch[]
  /** Begun batches in begin order; they follow every completed batch. */
  readonly inFlight: InFlight[]
}

/** Reads whole batches from `offset` (PartitionLog.read's shape); the first may start below it. */
export type BatchReader = (
  offset: number,
  maxBytes: number,
) => Promise<{ readonly bytes: Buffer; readonly nextOffset: number }>

const rebuildReadBytes = 1 << 20

export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>()

  /** Producers the table remembers (for tests and metrics). */
  get producerCount(): number {
    return this.producers.size
  }

  /**
   * What to do with a batch: append it, answer with the offsets of its earlier copy, or wait for an
   * identical batch that is still being appended. Throws OUT_OF_ORDER_SEQUENCE (a gap, or a resend
   * older than the last producerBatchesMax batches), INVALID_PRODUCER_EPOCH (an older epoch than
   * the table's), INVALID_REQUEST (a producerId without a sequence or epoch). Never changes the table.
   */
  check(header: ProducerBatchHeader): CheckResult {
    if (header.producerId === noProducerId) return appendResult
    checkHeader(header)
    const entry = this.producers.get(header.producerId)
    // Unknown producer: never seen, or forgotten (retention, the table bound). Kafka (KIP-360)
    // accepts any sequence then; a fresh producer starts at 0 anyway.
    if (entry === undefined) return appendResult
    if (header.producerEpoch < entry.epoch) {
      throw new WeirError(
        'INVALID_PRODUCER_EPOCH',
        `producer ${header.producerId} epoch ${header.producerEpoch} is older than epoch ${entry.epoch} on this partition`,
      )
    }
    if (header.producerEpoch > entry.epoch) {
      if (header.baseSequence === 0) return appendResult
      throw outOfOrder(header, 0, `a new epoch ${header.producerEpoch} must start at sequence 0`)
    }
    const lastSequence = lastSequenceOf(header.baseSequence, header.recordCount)
    for (const flight of entry.inFlight) {
      if (flight.baseSequence === header.baseSequence && flight.lastSequence === lastSequence) {
        return {
          kind: 'pending',
          wait: new Promise((resolve, reject) => flight.waiters.push({ resolve, reject })),
        }
      }
    }
    for (const batch of entry.batches) {
      if (batch.baseSequence === header.baseSequence && batch.lastSequence === lastSequence) {
        return { kind: 'duplicate', baseOffset: batch.baseOffset, lastOffset: batch.lastOffset }
      }
    }
    const newest = entry.inFlight[entry.inFlight.length - 1] ?? entry.batches[entry.batches.length - 1]
    if (newest === undefined) return appendResult
    const expected = sequenceAfter(newest.lastSequence, 1)
    if (header.baseSequence === expected) return appendResult
    throw outOfOrder(header, expected, 'a gap or a resend older than the last batches kept')
  }

  /** Marks a batch that check said to append as in flight; call before the next check of this table. */
  begin(header: ProducerBatchHeader): InFlightToken {
    const token: InFlight = {
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
      lastSequence:
        header.producerId === noProducerId ? -1 : lastSequenceOf(header.baseSequence, header.recordCount),
      waiters: [],
    }
    if (header.producerId === noProducerId) return token
    const entry = this.entryFor(header.producerId, header.producerEpoch)
    entry.inFlight.push(token)
    return token
  }

  /** The log gave the begun batch these offsets: remember it and answer identical batches waiting on it. */
  complete(token: InFlightToken, baseOffset: number, lastOffset: number): void {
    const flight = this.release(token)
    if (flight === undefined) return
    const entry = this.producers.get(token.producerId)
    if (entry !== undefined && entry.epoch === token.producerEpoch) {
      remember(entry, {
        baseSequence: token.baseSequence,
        lastSequence: token.lastSequence,
        baseOffset,
        lastOffset,
      })
    }
    for (const waiter of flight.waiters) waiter.resolve({ baseOffset, lastOffset })
  }

  /**
   * The append of a begun batch failed, so nothing was written: forget it (a resend may append it)
   * and fail identical batches waiting on it with `reason` (the append's error).
   */
  abort(token: InFlightToken, reason?: unknown): void {
    const flight = this.release(token)
    if (flight === undefined) return
    const error =
      reason ??
      new WeirError('REQUEST_TIMED_OUT', 'the first copy of this batch failed to append; send it again')
    for (const waiter of flight.waiters) waiter.reject(error)
  }

  /** Records a batch that entered the log without check (replication, recovery scans). */
  observe(header: ProducerBatchHeader, baseOffset: number): void {
    if (header.producerId === noProducerId || header.baseSequence < 0) return
    const entry = this.entryFor(header.producerId, header.producerEpoch)
    if (header.producerEpoch < entry.epoch) return
    remember(entry, {
      baseSequence: header.baseSequence,
      lastSequence: lastSequenceOf(header.baseSequence, header.recordCount),
      baseOffset,
      lastOffset: baseOffset + header.recordCount - 1,
    })
  }

  /** The remembered batches of a producer, oldest first (tests compare live and rebuilt tables). */
  snapshot(): Map<number, { epoch: number; batches: StoredBatch[] }> {
    const copy = new Map<number, { epoch: number; batches: StoredBatch[] }>()
    for (const [producerId, entry] of this.producers) {
      copy.set(producerId, { epoch: entry.epoch, batches: entry.batches.map((batch) => ({ ...batch })) })
    }
    return copy
  }

  /**
   * Builds a table from the batch headers of the log between `startOffset` and `endOffset`
   * (exclusive), reading whole batches with `read` (PartitionLog.read). Used when a partition's
   * table is first needed and after a suffix truncation. Memory: one read of about 1 MiB at a time.
   */
  static async rebuild(
    read: BatchReader,
    startOffset: number,
    endOffset: number,
  ): Promise<ProducerStateTable> {
    const table = new ProducerStateTable()
    let offset = startOffset
    while (offset < endOffset) {
      const { bytes, nextOffset } = await read(offset, rebuildReadBytes)
      if (bytes.length === 0 || nextOffset <= offset) break
      let position = 0
      while (position < bytes.length) {
        const header = readBatchHeader(bytes, position)
        const lastOffset = header.baseOffset + header.lastOffsetDelta
        if (header.baseOffset >= endOffset) return table
        // A compacted topic's cleaner may have dropped records of the batch; its offset range,
        // and so its sequence range, stays whole.
        const producerHeader = { ...header, recordCount: header.lastOffsetDelta + 1 }
        if (lastOffset >= startOffset) table.observe(producerHeader, header.baseOffset)
        position += batchSizeAt(bytes, position)
      }
      offset = nextOffset
    }
    return table
  }

  private entryFor(producerId: number, epoch: number): ProducerEntry {
    let entry = this.producers.get(producerId)
    if (entry === undefined) {
      entry = { epoch, batches: [], inFlight: [] }
    } else {
      // Most recently written last: Map order is the eviction order.
      this.producers.delete(producerId)
      if (epoch > entry.epoch) {
        entry.epoch = epoch
        entry.batches.length = 0
      }
    }
    this.producers.set(producerId, entry)
    if (this.producers.size > producersPerPartitionMax) this.evictOldest()
    return entry
  }

  private evictOldest(): void {
    for (const [producerId, entry] of this.producers) {
      // A producer with batches in flight is in use: never drop the state its completion needs.
      if (entry.inFlight.length > 0) continue
      this.producers.delete(producerId)
      return
    }
  }

  private release(token: InFlightToken): InFlight | undefined {
    if (token.producerId === noProducerId) return undefined
    const entry = this.producers.get(token.producerId)
    const index = entry?.inFlight.indexOf(token as InFlight) ?? -1
    if (entry === undefined || index < 0)
      throw new Error('assertion: complete or abort of a batch not in flight')
    return entry.inFlight.splice(index, 1)[0]
  }
}

const appendResult: CheckResult = { kind: 'append' }

function remember(entry: ProducerEntry, batch: StoredBatch): void {
  entry.batches.push(batch)
  if (entry.batches.length > producerBatchesMax) entry.batches.shift()
}

function checkHeader(header: ProducerBatchHeader): void {
  if (header.producerId < 0 || header.producerEpoch < 0 || header.baseSequence < 0) {
    throw new WeirError(
      'INVALID_REQUEST',
      `an idempotent batch needs producerId, producerEpoch and baseSequence >= 0, got ${header.producerId}, ${header.producerEpoch}, ${header.baseSequence}`,
    )
  }
}

function outOfOrder(header: ProducerBatchHeader, expected: number, why: string): WeirError {
  return new WeirError(
    'OUT_OF_ORDER_SEQUENCE',
    `producer ${header.producerId} sent sequence ${header.baseSequence}, expected ${expected} (${why})`,
  )
}
