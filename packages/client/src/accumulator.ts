// The producer's per-partition accumulator: records become batches, one queue of batches per
// partition. Pure: no timers, clocks or sockets; the producer passes `nowMs` and drives sending.
// A partition's head batch is sent alone and stays at the head until it is acknowledged or fails,
// so at most one batch per partition is in flight and retries can never reorder a partition.
import { RecordBatchBuilder, type RecordInput } from '@weir/protocol'
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
  readonly builder = new RecordBatchBuilder(builderInitialBytes)
  readonly completions: Completion[] = []
  bytes = 0
  /** Full or already sent once: takes no more records. */
  sealed = false
  /** Being sent, or waiting for a retry: not handed out by `drain`. */
  busy = false
  attempts = 0
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
  ) {}

  get recordCount(): number {
    return this.builder.recordCount
  }
}

export interface DrainOptions {
  /** A flush is waiting: every head is ready now, lingering or not. */
  readonly flushing?: boolean
  /** The broker a batch goes to; heads bound for the same broker as a ready head go with it. */
  readonly brokerOf?: (batch: ProducerBatch) => number
}

export interface AccumulatorLimits {
  /** A batch is sealed when the next record would take it past this; a larger record goes alone. */
  readonly maxBatchBytes: number
  readonly maxBatchRecords: number
  /** How long a batch that is not full waits for more records before it is sent. */
  readonly lingerMs: number
}

export class RecordAccumulator {
  /** Per topic, per partition: the partition's batches, head first. Nested so the hot path builds no string keys. */
  private readonly topics = new Map<string, Array<ProducerBatch[] | undefined>>()
  private batches = 0

  constructor(private readonly limits: AccumulatorLimits) {}

  /** Batches waiting or in flight, over all partitions. */
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
    if (batch && !batch.sealed && !this.fits(batch, bytes)) batch.sealed = true
    if (batch === undefined || batch.sealed) {
      batch = new ProducerBatch(topic, partition, nowMs)
      queue.push(batch)
      this.batches++
    }
    batch.builder.append(record, record.timestamp ?? nowMs)
    batch.completions.push(completion)
    batch.bytes += bytes
    if (batch.bytes >= this.limits.maxBatchBytes || batch.recordCount >= this.limits.maxBatchRecords) {
      batch.sealed = true
    }
    return batch
  }

  /**
   * Head batches to send. Once any head is ready (full, lingered long enough, or `flushing`),
   * every idle head bound for the same broker (`brokerOf`) goes with it, as in Kafka's sender:
   * that request is being made anyway, and batches that started a moment later would otherwise
   * follow in a request of their own. Skips partitions whose head is busy. Returned batches are
   * sealed and marked busy.
   */
  drain(nowMs: number, options: DrainOptions = {}): ProducerBatch[] {
    const { flushing = false, brokerOf = () => 0 } = options
    const heads: ProducerBatch[] = []
    const readyBrokers = new Set<number>()
    for (const queue of this.allQueues()) {
      const head = queue[0]
      if (head === undefined || head.busy) continue
      heads.push(head)
      if (flushing || head.sealed || nowMs - head.createdAtMs >= this.limits.lingerMs)
        readyBrokers.add(brokerOf(head))
    }
    const ready = readyBrokers.size === 0 ? [] : heads.filter((head) => readyBrokers.has(brokerOf(head)))
    for (const head of ready) {
      head.sealed = true
      head.busy = true
    }
    return ready
  }

  /** When the earliest lingering head batch becomes ready; undefined when none lingers. */
  nextReadyAtMs(): number | undefined {
    let earliest: number | undefined
    for (const queue of this.allQueues()) {
      const head = queue[0]
      if (head === undefined || head.busy) continue
      const readyAt = head.sealed ? 0 : head.createdAtMs + this.limits.lingerMs
      if (earliest === undefined || readyAt < earliest) earliest = readyAt
    }
    return earliest
  }

  /** Removes an acknowledged or failed head batch so the partition's next batch can go. */
  remove(batch: ProducerBatch): void {
    const queue = this.topics.get(batch.topic)?.[batch.partition]
    if (queue?.[0] !== batch) throw new Error('assertion: only a partition head batch completes')
    queue.shift()
    this.batches--
  }

  /** Every batch not in flight (for failing them all on close without flush). */
  *pending(): Generator<ProducerBatch> {
    for (const queue of this.allQueues()) yield* queue
  }

  private allQueues(): ProducerBatch[][] {
    const queues: ProducerBatch[][] = []
    for (const partitions of this.topics.values()) {
      for (const queue of partitions) if (queue !== undefined && queue.length > 0) queues.push(queue)
    }
    return queues
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
