// The producer's per-partition accumulator: records become batches, one queue of batches per
// partition. Pure: no timers, clocks or sockets; the producer passes `nowMs` and drives sending.
// A batch stays in its queue until it is acknowledged or fails. Up to `maxInFlightBatches` of a
// partition's batches are in flight at once (an idempotent producer: the leader refuses a batch
// whose predecessor it has not written, so the pipeline cannot reorder); a batch is handed out only
// while every batch before it is in flight, so a batch waiting for a retry holds back the rest of
// its partition and retries can never reorder a partition; one behind in-flight batches goes only
// once full (or on flush). With 1, the head batch goes alone.
import { batchHeaderBytes, RecordBatchBuilder, type RecordInput } from '@weir/protocol'
import type { BatchStamp } from './producer-identity.js'

export interface RecordMetadata {
  readonly topic: string
  readonly partition: number
  /** The record's offset; -1 with acks 'none' (the broker does not answer). */
  readonly offset: number
}

/** What a record's sender learns: its offset once the batch is acknowledged, or the error. */
export interface Completion {
  /** `offset` is -1 with acks 'none'. Arguments, not an object: no allocation per record. */
  acknowledged(topic: string, partition: number, offset: number): void
  failed(error: Error): void
}

/** First buffer of a batch's builder; it doubles as records come (a batch is at most maxBatchBytes). */
const builderInitialBytes = 16 * 1024

export class ProducerBatch {
  /** Records are encoded as they are appended: a filling batch holds bytes, not record objects. */
  readonly builder: RecordBatchBuilder
  readonly completions: Completion[] = []
  bytes = 0
  /** Full or already sent once: takes no more records. */
  sealed = false
  /** Sealed because it reached maxBatchBytes or maxBatchRecords (not by linger or a send). */
  filled = false
  /** Being sent, or waiting for a retry: not handed out by `drain`. */
  busy = false
  /** An attempt is outstanding (busy and not waiting for a retry). */
  inFlight = false
  /**
   * The latest attempt left while an earlier batch of the partition was unacknowledged: a sequence
   * gap the leader reports for it may be that batch's failure, not a lost record.
   */
  sentBehind = false
  attempts = 0
  /** Answered (or failed for good) while an earlier batch of the partition was not: keeps its slot. */
  done = false
  /** Holds keyless records: the sticky partitioner moves on when this batch leaves. */
  keyless = false
  /** Encoded once, on first send, so a retry sends the same bytes. */
  encoded: Buffer | undefined
  /** producerId, epoch and baseSequence stamped into `encoded` by an idempotent producer. */
  stamp: BatchStamp | undefined

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdAtMs: number,
    /** The builder's first buffer: the size of a batch that filled just before, when one did. */
    initialBytes = builderInitialBytes,
  ) {
    this.builder = new RecordBatchBuilder(initialBytes)
  }

  get recordCount(): number {
    return this.builder.recordCount
  }
}

export interface DrainOptions {
  /** A flush is waiting: every head is ready now, lingering or not. */
  readonly flushing?: boolean
  /** The broker a batch goes to; heads bound for the same broker as a ready head go with it. */
  readonly brokerOf?: (batch: ProducerBatch) => number
  /**
   * Whether a partition may have more than one batch in flight (default: yes, up to
   * maxInFlightBatches); otherwise its head goes alone.
   */
  readonly mayPipeline?: (topic: string, partition: number) => boolean
}

export interface AccumulatorLimits {
  /** A batch is sealed when the next record would take it past this; a larger record goes alone. */
  readonly maxBatchBytes: number
  readonly maxBatchRecords: number
  /** How long a batch that is not full waits for more records before it is sent. */
  readonly lingerMs: number
  /** Batches of one partition in flight at once, 1 to `inFlightBatchesMax` (default 1). */
  readonly maxInFlightBatches?: number
}

/** Kafka's bound with idempotence, and the number of batches the leader's dedup table remembers per producer. */
export const inFlightBatchesMax = 5

export class RecordAccumulator {
  /** Per topic, per partition: the partition's batches, head first. Nested so the hot path builds no string keys. */
  private readonly topics = new Map<string, Array<ProducerBatch[] | undefined>>()
  private batches = 0

  constructor(private readonly limits: AccumulatorLimits) {}

  /** Batches waiting or in flight (not done), over all partitions. */
  get batchCount(): number {
    return this.batches
  }

  append(
    topic: string,
    partition: number,
    record: RecordInput,
    bytes: number,
    completion: Completion,
    nowMs: number,
  ): ProducerBatch {
    const queue = this.queueOf(topic, partition)
    let batch = queue[queue.length - 1]
    if (batch && !batch.sealed && !this.fits(batch, bytes)) {
      batch.sealed = true
      batch.filled = true
    }
    if (batch === undefined || batch.sealed) {
      batch = new ProducerBatch(topic, partition, nowMs, this.initialBytesAfter(batch))
      queue.push(batch)
      this.batches++
    }
    batch.builder.append(record, record.timestamp ?? nowMs)
    batch.completions.push(completion)
    batch.bytes += bytes
    if (batch.bytes >= this.limits.maxBatchBytes || batch.recordCount >= this.limits.maxBatchRecords) {
      batch.sealed = true
      batch.filled = true
    }
    return batch
  }

  /**
   * A batch that follows one that filled up will most likely fill too: its builder starts at that
   * size (at most maxBatchBytes and a header; the encoding of a record takes no more than the
   * bytes counted for it) instead of doubling its way there from 16 KiB, which copied about a
   * whole batch and allocated six buffers per 1 MiB batch. Otherwise it starts small.
   */
  private initialBytesAfter(previous: ProducerBatch | undefined): number | undefined {
    if (previous === undefined || !previous.filled) return undefined
    return Math.min(previous.builder.sizeBytes, this.limits.maxBatchBytes + batchHeaderBytes)
  }

  /**
   * The next batch of each partition to send, at most one per partition per call (call again for
   * the next one behind it). Once any is ready (full, lingered long enough, or `flushing`), every
   * idle one bound for the same broker (`brokerOf`) goes with it, as in Kafka's sender: that
   * request is being made anyway, and batches that started a moment later would otherwise follow
   * in a request of their own. Returned batches are sealed and marked busy and in flight.
   */
  drain(nowMs: number, options: DrainOptions = {}): ProducerBatch[] {
    const { flushing = false, brokerOf = () => 0, mayPipeline = () => true } = options
    const candidates: ProducerBatch[] = []
    const readyBrokers = new Set<number>()
    for (const queue of this.allQueues()) {
      const head = queue[0]!
      const next = this.nextToSend(queue, mayPipeline(head.topic, head.partition))
      if (next === undefined || (next !== head && !next.sealed && !flushing)) continue
      candidates.push(next)
      if (flushing || next.sealed || nowMs - next.createdAtMs >= this.limits.lingerMs)
        readyBrokers.add(brokerOf(next))
    }
    const ready = readyBrokers.size === 0 ? [] : candidates.filter((next) => readyBrokers.has(brokerOf(next)))
    for (const next of ready) {
      next.sealed = true
      next.busy = true
      next.inFlight = true
      next.sentBehind = next !== this.queueOf(next.topic, next.partition)[0]
    }
    return ready
  }

  /** When the earliest lingering batch that may be sent becomes ready; undefined when none lingers. */
  nextReadyAtMs(mayPipeline: DrainOptions['mayPipeline'] = () => true): number | undefined {
    let earliest: number | undefined
    for (const queue of this.allQueues()) {
      const head = queue[0]!
      const next = this.nextToSend(queue, mayPipeline(head.topic, head.partition))
      if (next === undefined || (next !== head && !next.sealed)) continue
      const readyAt = next.sealed ? 0 : next.createdAtMs + this.limits.lingerMs
      if (earliest === undefined || readyAt < earliest) earliest = readyAt
    }
    return earliest
  }

  /** An attempt of a batch handed out by `drain` failed: it waits for a retry, holding back those behind it. */
  attemptFailed(batch: ProducerBatch): void {
    batch.inFlight = false
  }

  /**
   * An acknowledged or failed batch is done. Its slot frees only once every batch before it is done
   * too: the leader remembers the last inFlightBatchesMax batches of a producer, so a resend of
   * the oldest unanswered batch must never be more than that many batches behind the newest sent.
   * (Freeing a slot answered behind an unanswered head let the window slide past it, and its
   * resend, after a killed connection, came back OUT_OF_ORDER_SEQUENCE.)
   */
  remove(batch: ProducerBatch): void {
    const queue = this.topics.get(batch.topic)?.[batch.partition]
    const index = queue?.indexOf(batch) ?? -1
    if (queue === undefined || index < 0 || batch.done)
      throw new Error('assertion: only a queued batch completes')
    batch.done = true
    this.batches--
    if (index > 0) return
    let doneAtHead = 0
    while (doneAtHead < queue.length && queue[doneAtHead]!.done) doneAtHead++
    queue.splice(0, doneAtHead)
  }

  /** Every batch not yet done, waiting or in flight. */
  *pending(): Generator<ProducerBatch> {
    for (const queue of this.allQueues()) for (const batch of queue) if (!batch.done) yield batch
  }

  private allQueues(): ProducerBatch[][] {
    const queues: ProducerBatch[][] = []
    for (const partitions of this.topics.values()) {
      for (const queue of partitions) if (queue !== undefined && queue.length > 0) queues.push(queue)
    }
    return queues
  }

  /**
   * The first idle batch of `queue` when every batch before it is in flight and fewer than
   * maxInFlightBatches are: a batch waiting for a retry holds back everything behind it. The
   * callers send one behind in-flight batches only once it is full (or on flush): a batch sealed
   * by linger alone waits for the answer to the one before and gathers the sends meanwhile, so a
   * trickle of sends (the latency case) makes one request per round trip, as with one batch in
   * flight, instead of one per linger, which cost CPU on both ends and no latency gained (the
   * leader's group commit holds a batch until the fsync running when it lands has finished).
   */
  private nextToSend(queue: readonly ProducerBatch[], pipelined: boolean): ProducerBatch | undefined {
    const inFlightMax = pipelined ? (this.limits.maxInFlightBatches ?? 1) : 1
    for (let index = 0; index < queue.length && index < inFlightMax; index++) {
      const batch = queue[index]!
      if (batch.done) continue
      if (!batch.busy) return batch
      if (!batch.inFlight) return undefined
    }
    return undefined
  }

  private fits(batch: ProducerBatch, bytes: number): boolean {
    return batch.bytes + bytes <= this.limits.maxBatchBytes && batch.recordCount < this.limits.maxBatchRecords
  }

  private queueOf(topic: string, partition: number): ProducerBatch[] {
    let partitions = this.topics.get(topic)
    if (partitions === undefined) {
      partitions = []
      this.topics.set(topic, partitions)
    }
    let queue = partitions[partition]
    if (queue === undefined) {
      queue = []
      partitions[partition] = queue
    }
    return queue
  }
}

/** Bytes a record adds to a batch, near enough for buffer accounting (varint overheads rounded up). */
export function recordBytes(record: RecordInput): number {
  let bytes = 24 + (record.key?.length ?? 0) + (record.value?.length ?? 0)
  for (const header of record.headers ?? []) bytes += 8 + header.key.length * 3 + (header.value?.length ?? 0)
  return bytes
}
