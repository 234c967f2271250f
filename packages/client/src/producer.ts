// The producer: send() encodes a record, picks its partition (murmur3 for keys, sticky for null
// keys, the same protocol code the broker uses), and appends it to that partition's accumulator.
// A sender pass groups ready batches by leader into one Produce request per broker (one batch per
// partition), pipelined up to the connection's in-flight limit; an idempotent producer keeps up to
// 5 batches of a partition in flight once the leader knows its producerId (its sequence check then
// refuses a batch whose predecessor is missing, so none is written out of order), others one.
// Retriable errors are retried with exponential backoff after a metadata refresh; a batch stays
// queued until acknowledged and nothing behind a batch waiting for a retry is sent, so retries
// keep per-partition order. A leader that refuses (NOT_LEADER), has none, or does not answer
// makes the producer ask other brokers at once, and the batch goes to the new leader as soon as
// one is named, without a backoff. Idempotent by default: each batch carries the producerId and
// its partition's sequences, so a resent batch is never written twice.
import {
  Acks,
  type AcksName,
  type Clock,
  type CompressionName,
  compress,
  delay,
  errorFromWire,
  InitProducerId,
  Produce,
  type ProduceRequest,
  type ProduceResponse,
  type RecordHeader,
  type RecordInput,
  StickyPartitioner,
  type Timer,
  type Timers,
  WeirError,
} from '@weir/protocol'
import {
  type Completion,
  inFlightBatchesMax,
  type ProducerBatch,
  RecordAccumulator,
  type RecordMetadata,
} from './accumulator.js'
import type { Cluster } from './cluster.js'
import { deliveryError, describeAttempt } from './delivery-failure.js'
import { LeaderWaits } from './leader-waits.js'
import { watchLeadership } from './leader-watch.js'
import { backoffMs, integerOption, oneOfOption, renamedOption } from './limits.js'
import { type Headers, headersToRecord, type Key, keyToBytes } from './message.js'
import { choosePartitioner, type Partitioner, type PartitionerOption } from './partitioners.js'
import { ProducerIdentity } from './producer-identity.js'
import { resolveTopic, type TopicDescriptor, type TopicRef } from './topic.js'

export interface ProducerOptions {
  /** 'none' (no response, offset -1), 'leader', or 'all' (default). */
  readonly acks?: AcksName
  /** How long a batch that is not full waits for more records. Default 5. */
  readonly lingerMs?: number
  /** A batch is sent once it reaches this size. Default 1 MiB. */
  readonly maxBatchBytes?: number
  /** @deprecated Use maxBatchBytes (the new name wins when both are given). */
  readonly batchBytesMax?: number
  /** Records in one batch at most. Default 100 000. */
  readonly maxBatchRecords?: number
  /** @deprecated Use maxBatchRecords (the new name wins when both are given). */
  readonly batchRecordsMax?: number
  /** Bytes of records buffered and unacknowledged; send() waits when full. Default 32 MiB. */
  readonly maxBufferBytes?: number
  /** @deprecated Use maxBufferBytes (the new name wins when both are given). */
  readonly bufferBytesMax?: number
  /** Sends waiting for buffer space or metadata; past it send() rejects with LIMIT_EXCEEDED. Default 100 000. */
  readonly maxQueuedSends?: number
  /** @deprecated Use maxQueuedSends (the new name wins when both are given). */
  readonly queuedSendsMax?: number
  /** Bytes of batches in one Produce request at most (a larger single batch goes alone). Default 8 MiB. */
  readonly maxRequestBytes?: number
  /** @deprecated Use maxRequestBytes (the new name wins when both are given). */
  readonly requestBytesMax?: number
  /** Attempts after the first for a batch that fails with a retriable error. Default 20. */
  readonly retries?: number
  /**
   * First retry backoff; doubles per attempt up to maxRetryBackoffMs. Defaults 100 and 1000
   * (Kafka's retry.backoff.ms and retry.backoff.max.ms): after a leader failover of about a second,
   * a larger cap left sends waiting up to 1.6 s more for their next attempt.
   */
  readonly retryBackoffMs?: number
  readonly maxRetryBackoffMs?: number
  /** @deprecated Use maxRetryBackoffMs (the new name wins when both are given). */
  readonly retryBackoffMsMax?: number
  /** A record not acknowledged this long after send() fails with its last error. Default 60 000. */
  readonly deliveryTimeoutMs?: number
  /** How long the broker may take to make a write durable (Produce timeoutMs). Default 30 000. */
  readonly ackTimeoutMs?: number
  /**
   * Retries never duplicate or reorder records: the producer gets a producerId (InitProducerId) on
   * its first send and stamps a per-partition sequence into each batch, which the partition leader
   * checks. Default true, except with acks 'none' (no answers: a refused batch would go unnoticed).
   */
  readonly idempotent?: boolean
  /**
   * Codec of each batch's records section: 'none' (default), 'gzip', 'snappy', 'lz4' or 'zstd'
   * (Kafka's codecs, byte for byte). Consumers decompress transparently; the broker stores the
   * compressed bytes. maxBatchBytes still counts a batch uncompressed (as the broker's limit does).
   */
  readonly compression?: CompressionName
  /**
   * Which partition a record without `partition` goes to: 'murmur3' (default: murmur3 of the key,
   * keyless records stick to one partition per batch), 'round-robin' (each record to the next
   * partition, keys ignored), or a function `(key, partitionCount, topic) => partition` that must
   * return an integer from 0 to partitionCount - 1 (otherwise that send fails with INVALID_CONFIG).
   */
  readonly partitioner?: PartitionerOption
}

export interface ProducerRecord<R extends TopicRef<unknown>> {
  readonly topic: R
  readonly key?: Key
  readonly value: R extends TopicDescriptor<infer T> ? T : unknown
  readonly headers?: Headers
  /** Forces a partition instead of the key rule. */
  readonly partition?: number
  /** Milliseconds since the epoch; default now on the client's clock (the Environment's). */
  readonly timestamp?: number
}

/**
 * One record from send() to its acknowledgement: at once the record the batch encodes (key, value,
 * headers, timestamp) and the completion it reports to, so the hot path allocates one object per
 * record besides its promise (and none besides it for sendBatch).
 */
class QueuedSend implements RecordInput, Completion {
  resolve: (metadata: RecordMetadata) => void = noop
  reject: (error: Error) => void = noop
  /** Set for records of one sendBatch call: they report to it instead of a promise of their own. */
  group: BatchSend | undefined = undefined

  constructor(
    readonly topic: string,
    readonly key: Buffer | null,
    readonly value: Buffer,
    readonly headers: RecordHeader[] | undefined,
    readonly timestamp: number,
    readonly partition: number | undefined,
    readonly bytes: number,
    /** For deliveryTimeoutMs: the record's own timestamp may be set by the user to anything. */
    readonly queuedAtMs: number,
  ) {}

  acknowledged(topic: string, partition: number, offset: number): void {
    if (this.group !== undefined) this.group.acknowledged(topic, partition, offset)
    else this.resolve({ topic, partition, offset })
  }

  failed(error: Error): void {
    if (this.group !== undefined) this.group.failed(error)
    else this.reject(error)
  }
}

/** A contiguous run of acknowledged records of one partition: offsets baseOffset .. baseOffset + count - 1. */
export interface SentRange {
  readonly topic: string
  readonly partition: number
  /** -1 with acks 'none'. */
  readonly baseOffset: number
  readonly count: number
}

/** The records of one sendBatch call: resolves once all are acknowledged, with the ranges they got. */
class BatchSend {
  private readonly ranges: { topic: string; partition: number; baseOffset: number; count: number }[] = []
  private outstanding: number
  private settled = false

  constructor(
    count: number,
    private readonly resolve: (ranges: SentRange[]) => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.outstanding = count
    if (count === 0) this.finish()
  }

  acknowledged(topic: string, partition: number, offset: number): void {
    const last = this.ranges[this.ranges.length - 1]
    const follows =
      last !== undefined &&
      last.topic === topic &&
      last.partition === partition &&
      (offset < 0 ? last.baseOffset < 0 : last.baseOffset + last.count === offset)
    if (follows) last.count++
    else this.ranges.push({ topic, partition, baseOffset: offset, count: 1 })
    if (--this.outstanding === 0) this.finish()
  }

  failed(error: Error): void {
    if (this.settled) return
    this.settled = true
    this.reject(error)
  }

  private finish(): void {
    if (this.settled) return
    this.settled = true
    this.resolve(this.ranges)
  }
}

function noop(): void {}

/** The deprecated spellings of producer options; each still works (see ProducerOptions). */
type DeprecatedOptionNames =
  | 'batchBytesMax'
  | 'batchRecordsMax'
  | 'bufferBytesMax'
  | 'queuedSendsMax'
  | 'requestBytesMax'
  | 'retryBackoffMsMax'
type Limits = Required<
  Omit<ProducerOptions, 'acks' | 'idempotent' | 'compression' | 'partitioner' | DeprecatedOptionNames>
>
type CheckedOptions = Limits & { acks: AcksName; idempotent: boolean; compression: CompressionName }

function checkOptions(options: ProducerOptions): CheckedOptions {
  const owner = 'producer'
  const acks = oneOfOption(owner, 'acks', options.acks, 'all', ['none', 'leader', 'all'])
  if (options.idempotent === true && acks === 'none') {
    throw new WeirError(
      'INVALID_CONFIG',
      "producer option idempotent needs acks 'leader' or 'all': with acks 'none' a refused batch goes unnoticed",
    )
  }
  return {
    acks,
    idempotent: options.idempotent ?? acks !== 'none',
    compression: checkCompression(options.compression),
    lingerMs: integerOption(owner, 'lingerMs', options.lingerMs, 5, 0, 60_000),
    maxBatchBytes: integerOption(
      owner,
      ...renamedOption(options, 'maxBatchBytes', 'batchBytesMax'),
      1 << 20,
      64,
      15 << 20,
    ),
    maxBatchRecords: integerOption(
      owner,
      ...renamedOption(options, 'maxBatchRecords', 'batchRecordsMax'),
      100_000,
      1,
      1_000_000,
    ),
    maxBufferBytes: integerOption(
      owner,
      ...renamedOption(options, 'maxBufferBytes', 'bufferBytesMax'),
      32 << 20,
      1024,
    ),
    maxQueuedSends: integerOption(
      owner,
      ...renamedOption(options, 'maxQueuedSends', 'queuedSendsMax'),
      100_000,
      1,
    ),
    maxRequestBytes: integerOption(
      owner,
      ...renamedOption(options, 'maxRequestBytes', 'requestBytesMax'),
      8 << 20,
      1024,
      15 << 20,
    ),
    retries: integerOption(owner, 'retries', options.retries, 20, 0, 1_000_000),
    retryBackoffMs: integerOption(owner, 'retryBackoffMs', options.retryBackoffMs, 100, 1, 60_000),
    maxRetryBackoffMs: integerOption(
      owner,
      ...renamedOption(options, 'maxRetryBackoffMs', 'retryBackoffMsMax'),
      1000,
      1,
      600_000,
    ),
    deliveryTimeoutMs: integerOption(owner, 'deliveryTimeoutMs', options.deliveryTimeoutMs, 60_000, 1),
    ackTimeoutMs: integerOption(owner, 'ackTimeoutMs', options.ackTimeoutMs, 30_000, 1, 2_147_483_647),
  }
}

const compressionNames: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

/** Checks the name, and that this platform can compress with it (UNSUPPORTED_COMPRESSION_TYPE now, not at the first send). */
function checkCompression(value: CompressionName | undefined): CompressionName {
  const compression = oneOfOption('producer', 'compression', value, 'none', compressionNames)
  if (compression !== 'none') compress(compression, Buffer.from('probe'))
  return compression
}

/** Topic names whose descriptor is kept; past it the cache starts over (bounded memory). */
const descriptorsMax = 10_000

/** Errors after which the cached leader is probably wrong: other brokers are asked at once. */
const leaderErrors = new Set(['NOT_LEADER', 'CONNECTION_CLOSED', 'BROKER_UNAVAILABLE', 'REQUEST_TIMED_OUT'])

export class Producer {
  readonly options: Readonly<CheckedOptions>
  private readonly accumulator: RecordAccumulator
  /** Set when idempotent: the producerId and the per-partition sequences. */
  private readonly identity: ProducerIdentity | undefined
  private readonly queued: QueuedSend[] = []
  private queuedHead = 0
  private readonly stickies = new Map<string, StickyPartitioner>()
  private readonly descriptors = new Map<string, TopicDescriptor<unknown>>()
  private readonly flushWaiters: Array<() => void> = []
  private readonly spaceWaiters: Array<() => void> = []
  private readonly loadingTopics = new Set<string>()
  private readonly batchFirstSentAtMs = new WeakMap<ProducerBatch, number>()
  /** The last failed attempt of a batch, in words, for the error it fails with in the end. */
  private readonly lastAttempts = new WeakMap<ProducerBatch, string>()
  /** The leader epoch each batch's latest attempt was sent under (see leader-watch.ts). */
  private readonly sentEpochs = new WeakMap<ProducerBatch, number | undefined>()
  /** Batches backing off for want of a leader: released early when one appears (leader-waits.ts). */
  private readonly leaderWaits: LeaderWaits<ProducerBatch>
  private readonly partitioner: Partitioner
  private bufferedBytes = 0
  private lingerTimer: Timer | undefined
  private lingerAtMs = Number.POSITIVE_INFINITY
  private drainScheduled = false
  private closed = false

  private readonly clock: Clock
  private readonly timers: Timers

  constructor(
    private readonly cluster: Cluster,
    options: ProducerOptions = {},
  ) {
    this.clock = cluster.environment.clock
    this.timers = cluster.environment.timers
    this.options = checkOptions(options)
    this.partitioner = choosePartitioner(options.partitioner)
    // An idempotent producer keeps up to inFlightBatchesMax batches of a partition in flight (the
    // leader refuses one whose predecessor it lacks, so nothing reorders); others, one at a time.
    const maxInFlightBatches = this.options.idempotent ? inFlightBatchesMax : 1
    this.accumulator = new RecordAccumulator({ ...this.options, maxInFlightBatches })
    this.leaderWaits = new LeaderWaits(cluster, (batch) => this.retryNow(batch))
    this.identity = this.options.idempotent ? new ProducerIdentity(() => this.initProducerId()) : undefined
  }

  /** Resolves once the record is acknowledged (per `acks`) with its partition and offset. */
  send<R extends TopicRef<unknown>>(record: ProducerRecord<R>): Promise<RecordMetadata> {
    try {
      if (this.closed) throw new WeirError('CLIENT_CLOSED', 'the producer is closed')
      if (this.queuedCount >= this.options.maxQueuedSends) {
        throw new WeirError(
          'LIMIT_EXCEEDED',
          `${this.queuedCount} sends already wait for buffer space (maxQueuedSends); await send() or use sendMany()`,
        )
      }
      const queued = this.prepare(record.topic, record)
      const acknowledged = new Promise<RecordMetadata>((resolve, reject) => {
        queued.resolve = resolve
        queued.reject = reject
      })
      if (this.queuedCount === 0 && this.tryAppend(queued)) return acknowledged
      this.queued.push(queued)
      this.pump()
      return acknowledged
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * Sends many records in order; waits for queue space as it goes, so a caller sending in a loop is
   * held back by the buffer instead of growing it. Resolves when all are acknowledged.
   */
  async sendMany<R extends TopicRef<unknown>>(
    records: Iterable<ProducerRecord<R>>,
  ): Promise<RecordMetadata[]> {
    const acknowledgements: Promise<RecordMetadata>[] = []
    for (const record of records) {
      while (this.queuedCount >= this.options.maxQueuedSends && !this.closed) {
        await new Promise<void>((resolve) => this.spaceWaiters.push(resolve))
      }
      const acknowledgement = this.send(record)
      acknowledgement.catch(() => {}) // surfaced by Promise.all below
      acknowledgements.push(acknowledgement)
    }
    return Promise.all(acknowledgements)
  }

  /**
   * Sends many records of one topic in one call and resolves once all are acknowledged, with the
   * offset ranges they got (in acknowledgement order). No promise or result object per record: the
   * fastest way to push a stream. Waits for queue space as it goes, like sendMany. Rejects with the
   * first error; records sent to other partitions before it may have been written.
   */
  async sendBatch<R extends TopicRef<unknown>>(batch: {
    readonly topic: R
    readonly messages: readonly Omit<ProducerRecord<R>, 'topic'>[]
  }): Promise<SentRange[]> {
    if (this.closed) throw new WeirError('CLIENT_CLOSED', 'the producer is closed')
    let resolve: (ranges: SentRange[]) => void = noop
    let reject: (error: Error) => void = noop
    const done = new Promise<SentRange[]>((onResolve, onReject) => {
      resolve = onResolve
      reject = onReject
    })
    const group = new BatchSend(batch.messages.length, resolve, reject)
    for (const message of batch.messages) {
      while (this.queuedCount >= this.options.maxQueuedSends && !this.closed) {
        await new Promise<void>((wake) => this.spaceWaiters.push(wake))
      }
      let queued: QueuedSend
      try {
        if (this.closed) throw new WeirError('CLIENT_CLOSED', 'the producer is closed')
        queued = this.prepare(batch.topic, message)
      } catch (error) {
        group.failed(asError(error))
        break
      }
      queued.group = group
      if (this.queuedCount === 0 && this.tryAppend(queued)) continue
      this.queued.push(queued)
      this.pump()
    }
    return done
  }

  /** Sends everything buffered now, without waiting for linger, and resolves when all is acknowledged. */
  async flush(): Promise<void> {
    if (this.idle) return
    const done = new Promise<void>((resolve) => this.flushWaiters.push(resolve))
    this.scheduleDrain()
    await done
  }

  /** Flushes, then refuses new sends with CLIENT_CLOSED. */
  async close(): Promise<void> {
    this.closed = true
    await this.flush()
    this.timers.clear(this.lingerTimer)
    for (const wake of this.spaceWaiters.splice(0)) wake()
  }

  /** Bytes of records buffered and not yet acknowledged (for tests and metrics). */
  get bufferedBytesNow(): number {
    return this.bufferedBytes
  }

  private get queuedCount(): number {
    return this.queued.length - this.queuedHead
  }

  private get idle(): boolean {
    return this.queuedCount === 0 && this.accumulator.batchCount === 0
  }

  private prepare<R extends TopicRef<unknown>>(
    topicRef: R,
    input: Omit<ProducerRecord<R>, 'topic'>,
  ): QueuedSend {
    const topic = this.descriptorOf(topicRef)
    const keyBytes = keyToBytes(input.key)
    const value = topic.codec.encode(input.value)
    const headers = headersToRecord(input.headers)
    let bytes = 24 + (keyBytes?.length ?? 0) + value.length
    if (headers !== undefined)
      for (const header of headers) bytes += 8 + header.key.length * 3 + (header.value?.length ?? 0)
    if (bytes > this.options.maxBufferBytes || bytes > this.options.maxRequestBytes) {
      throw new WeirError(
        'MESSAGE_TOO_LARGE',
        `a record of about ${bytes} bytes exceeds maxBufferBytes or maxRequestBytes of the producer`,
      )
    }
    const now = this.clock.now()
    return new QueuedSend(
      topic.name,
      keyBytes,
      value,
      headers,
      input.timestamp ?? now,
      input.partition,
      bytes,
      now,
    )
  }

  /** String topics use the msgpack codec; one descriptor per name instead of one per send. */
  private descriptorOf(topic: TopicRef<unknown>): TopicDescriptor<unknown> {
    if (typeof topic !== 'string') return topic
    let descriptor = this.descriptors.get(topic)
    if (descriptor === undefined) {
      if (this.descriptors.size >= descriptorsMax) this.descriptors.clear()
      descriptor = resolveTopic(topic)
      this.descriptors.set(topic, descriptor)
    }
    return descriptor
  }

  /** Appends at once when nothing waits ahead, metadata is cached and the buffer has room. */
  private tryAppend(next: QueuedSend): boolean {
    const topic = this.cluster.cachedTopicRefreshingStale(next.topic)
    if (topic === undefined) return false
    if (this.bufferedBytes + next.bytes > this.options.maxBufferBytes && this.bufferedBytes > 0) return false
    this.append(next, topic.partitions.length)
    return true
  }

  /** Moves queued sends into the accumulator in order while metadata and buffer space allow. */
  private pump(): void {
    while (this.queuedHead < this.queued.length) {
      const next = this.queued[this.queuedHead]!
      const topic = this.cluster.cachedTopicRefreshingStale(next.topic)
      if (topic === undefined) {
        this.loadTopic(next.topic)
        break
      }
      if (this.bufferedBytes + next.bytes > this.options.maxBufferBytes && this.bufferedBytes > 0) break
      this.queuedHead++
      this.append(next, topic.partitions.length)
    }
    if (this.queuedHead === this.queued.length) {
      this.queued.length = 0
      this.queuedHead = 0
    } else if (this.queuedHead > 1024 && this.queuedHead * 2 > this.queued.length) {
      this.queued.splice(0, this.queuedHead)
      this.queuedHead = 0
    }
    if (this.spaceWaiters.length > 0 && this.queuedCount < this.options.maxQueuedSends) {
      for (const wake of this.spaceWaiters.splice(0)) wake()
    }
  }

  private append(next: QueuedSend, partitionCount: number): void {
    let partition = next.partition
    let keyless = false
    if (partition === undefined) {
      try {
        partition = this.partitioner.partition(next.topic, next.key, partitionCount)
      } catch (error) {
        next.failed(asError(error))
        return
      }
      if (partition === undefined) {
        keyless = true
        partition = this.stickyFor(next.topic).partition(partitionCount)
      }
    } else if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
      next.failed(new WeirError('UNKNOWN_PARTITION', `topic ${next.topic} has no partition ${partition}`))
      return
    }
    this.bufferedBytes += next.bytes
    // A sendBatch record reports to its group: the record object itself is garbage once encoded.
    const completion = next.group ?? next
    const batch = this.accumulator.append(
      next.topic,
      partition,
      next,
      next.bytes,
      completion,
      next.queuedAtMs,
    )
    if (keyless) {
      // Full batch: keyless records move on now. A batch sent by linger moves them on when it completes.
      batch.keyless = !batch.sealed
      if (batch.sealed) this.stickyFor(next.topic).batchSealed(partitionCount)
    }
    if (batch.sealed) this.scheduleDrain()
    // Only a batch's first record can bring the next linger deadline forward.
    else if (batch.recordCount === 1) this.scheduleLinger()
  }

  private stickyFor(topic: string): StickyPartitioner {
    let sticky = this.stickies.get(topic)
    if (sticky === undefined) {
      sticky = new StickyPartitioner(this.cluster.environment.random)
      this.stickies.set(topic, sticky)
    }
    return sticky
  }

  private loadTopic(topic: string, attempt = 0): void {
    if (this.loadingTopics.has(topic)) return
    this.loadingTopics.add(topic)
    this.cluster.topic(topic).then(
      () => {
        this.loadingTopics.delete(topic)
        this.pump()
      },
      (error: unknown) => {
        this.loadingTopics.delete(topic)
        const head = this.queued[this.queuedHead]
        const expired =
          head === undefined || this.clock.now() - head.queuedAtMs >= this.options.deliveryTimeoutMs
        if (isRetriable(error) && !expired && attempt < this.options.retries) {
          const { retryBackoffMs, maxRetryBackoffMs } = this.options
          this.timers.setTimeout(
            () => this.loadTopic(topic, attempt + 1),
            backoffMs(attempt, retryBackoffMs, maxRetryBackoffMs),
          )
          return
        }
        this.rejectQueued(topic, error)
        this.pump()
      },
    )
  }

  private rejectQueued(topic: string, error: unknown): void {
    const kept: QueuedSend[] = []
    for (let index = this.queuedHead; index < this.queued.length; index++) {
      const entry = this.queued[index]!
      if (entry.topic === topic) entry.failed(asError(error))
      else kept.push(entry)
    }
    this.queued.length = 0
    this.queued.push(...kept)
    this.queuedHead = 0
  }

  /**
   * Several batches of a partition in flight only once its leader knows the producerId (it then
   * refuses a batch whose predecessor is missing; an unknown producerId is accepted at any sequence).
   */
  private readonly mayPipeline = (topic: string, partition: number): boolean =>
    this.identity?.knownBy(topic, partition) ?? false

  private scheduleLinger(): void {
    const readyAtMs = this.accumulator.nextReadyAtMs(this.mayPipeline)
    if (readyAtMs === undefined || readyAtMs >= this.lingerAtMs) return
    if (readyAtMs <= this.clock.now()) {
      // Ready now (lingerMs 0, or a deadline already passed): a timer would add Node's 1 ms minimum.
      this.scheduleDrain()
      return
    }
    this.timers.clear(this.lingerTimer)
    this.lingerAtMs = readyAtMs
    this.lingerTimer = this.timers.setTimeout(
      () => {
        this.lingerAtMs = Number.POSITIVE_INFINITY
        this.drain()
      },
      Math.max(0, readyAtMs - this.clock.now()),
    )
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return
    this.drainScheduled = true
    this.timers.defer(() => {
      this.drainScheduled = false
      this.drain()
    })
  }

  /**
   * One sender pass: hand every ready batch to its leader, one request per broker with one batch
   * per partition; then the batches behind them, in requests of their own, up to the in-flight bound.
   */
  private drain(): void {
    const now = this.clock.now()
    for (let round = 0; round < inFlightBatchesMax; round++) {
      if (!this.sendReady(now)) break
    }
    this.scheduleLinger()
    this.checkIdle()
  }

  /** Sends the next ready batch of every partition; false when there was none. */
  private sendReady(now: number): boolean {
    const flushing = this.flushWaiters.length > 0
    const byLeader = new Map<number, ProducerBatch[]>()
    const leaderOf = (batch: ProducerBatch) =>
      this.cluster.cachedTopic(batch.topic)?.partitions.find((p) => p.partition === batch.partition)
    const brokerOf = (batch: ProducerBatch) => leaderOf(batch)?.leader ?? -1
    const ready = this.accumulator.drain(now, { flushing, brokerOf, mayPipeline: this.mayPipeline })
    for (const batch of ready) {
      const leader = leaderOf(batch)
      if (leader === undefined) {
        this.accumulator.attemptFailed(batch)
        this.refreshThenRetry(batch)
        continue
      }
      if (leader.leader < 0) {
        // An election is under way: ask every broker again, then back off, within deliveryTimeoutMs.
        const detail = `no leader of ${batch.topic}/${batch.partition} is known by any broker that answered (an election is under way, or most of its replicas are down)`
        this.failOrRetry(batch, new WeirError('NOT_LEADER', detail))
        continue
      }
      if (this.cluster.isUnreachable(leader.leader)) {
        // Its last request timed out (a paused or cut-off broker keeps the connection open): do not
        // send more into the void; ask every broker (it too) until one names a new leader or it answers.
        const detail = `it leads ${batch.topic}/${batch.partition} but did not answer its last request`
        this.failOrRetry(batch, new WeirError('BROKER_UNAVAILABLE', detail), leader.leader)
        continue
      }
      this.sentEpochs.set(batch, leader.leaderEpoch)
      const group = byLeader.get(leader.leader) ?? []
      group.push(batch)
      byLeader.set(leader.leader, group)
    }
    for (const [brokerId, batches] of byLeader) {
      for (const request of this.splitRequests(batches)) void this.produce(brokerId, request)
    }
    return ready.length > 0
  }

  private splitRequests(batches: ProducerBatch[]): ProducerBatch[][] {
    const requests: ProducerBatch[][] = []
    let current: ProducerBatch[] = []
    let bytes = 0
    for (const batch of batches) {
      if (current.length > 0 && bytes + batch.bytes > this.options.maxRequestBytes) {
        requests.push(current)
        current = []
        bytes = 0
      }
      current.push(batch)
      bytes += batch.bytes
    }
    if (current.length > 0) requests.push(current)
    return requests
  }

  private refreshThenRetry(batch: ProducerBatch): void {
    this.cluster.topic(batch.topic, { refresh: true }).then(
      () => this.release(batch),
      (error: unknown) => this.failOrRetry(batch, error),
    )
  }

  private async produce(brokerId: number, batches: ProducerBatch[]): Promise<void> {
    const now = this.clock.now()
    // A loop: another partition's failure may drop the producerId while this one waits for it.
    while (this.identity !== undefined && !this.identity.ready && batches.some((batch) => !batch.encoded)) {
      try {
        await this.identity.ensure()
      } catch (error) {
        for (const batch of batches) this.failOrRetry(batch, error)
        return
      }
    }
    for (const batch of batches) {
      if (!this.batchFirstSentAtMs.has(batch)) this.batchFirstSentAtMs.set(batch, now)
      if (batch.encoded === undefined) this.encode(batch)
    }
    let response: ProduceResponse | undefined
    // Batches whose partitions moved while the request waited: already resent (leader-watch.ts).
    const abandoned = new Set<ProducerBatch>()
    try {
      const request = this.produceRequest(batches)
      if (request.acks === Acks.none)
        await (await this.cluster.connectionFor(brokerId)).send(Produce, request)
      else {
        response = await this.produceRequestTo(brokerId, request, batches, abandoned)
        if (response === undefined) return
      }
    } catch (error) {
      for (const batch of batches) if (!abandoned.has(batch)) this.failOrRetry(batch, error, brokerId)
      return
    }
    for (const batch of batches) {
      if (abandoned.has(batch)) continue
      if (response === undefined) {
        this.complete(batch, -1)
        continue
      }
      const result = response.topics
        .find((topic) => topic.name === batch.topic)
        ?.partitions.find((partition) => partition.partition === batch.partition)
      if (result === undefined) {
        const detail = `no Produce result for ${batch.topic}/${batch.partition}`
        this.failOrRetry(batch, new WeirError('UNKNOWN_SERVER_ERROR', detail), brokerId)
      } else if (result.errorCode !== 0) {
        this.failOrRetry(batch, errorFromWire(result.errorCode, result.errorMessage), brokerId)
      } else {
        this.complete(batch, result.baseOffset)
      }
    }
  }

  /**
   * The Produce. A batch whose partition moves to a new leader while it waits (leader-watch.ts) is
   * retried there at once and put in `abandoned`; undefined when all were.
   */
  private async produceRequestTo(
    brokerId: number,
    request: ProduceRequest,
    batches: readonly ProducerBatch[],
    abandoned: Set<ProducerBatch>,
  ): Promise<ProduceResponse | undefined> {
    const watched = batches.map((batch) => ({
      topic: batch.topic,
      partition: batch.partition,
      leaderEpoch: this.sentEpochs.get(batch),
    }))
    const watch = watchLeadership(this.cluster, brokerId, watched, {
      moved: (indexes, error) => {
        for (const index of indexes) {
          const batch = batches[index]!
          abandoned.add(batch)
          this.failOrRetry(batch, error, brokerId)
        }
      },
    })
    try {
      return await Promise.race([
        this.cluster.requestTo(brokerId, Produce, request, { extraTimeoutMs: this.options.ackTimeoutMs }),
        watch.superseded.then(() => undefined),
      ])
    } finally {
      watch.stop()
    }
  }

  /** Builds the batch's bytes once; an idempotent producer stamps its id and the next sequences in. */
  private encode(batch: ProducerBatch): void {
    if (this.identity === undefined) {
      batch.encoded = batch.builder.build({ compression: this.options.compression })
      return
    }
    batch.stamp = this.identity.stamp(batch.topic, batch.partition, batch.recordCount)
    batch.encoded = batch.builder.build({ ...batch.stamp, compression: this.options.compression })
  }

  /** InitProducerId on any broker, retried with backoff on retriable errors within retries and deliveryTimeoutMs. */
  private async initProducerId(): Promise<{ producerId: number; producerEpoch: number }> {
    const startedAtMs = this.clock.now()
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.cluster.requestHedged(InitProducerId, {})
        if (response.errorCode) throw errorFromWire(response.errorCode, response.errorMessage)
        return { producerId: response.producerId, producerEpoch: response.producerEpoch }
      } catch (caught) {
        const error = caught instanceof WeirError ? initError(caught) : caught
        const expired = this.clock.now() - startedAtMs >= this.options.deliveryTimeoutMs
        if (!isRetriable(error) || expired || attempt >= this.options.retries || this.closed) throw error
        await delay(
          this.timers,
          backoffMs(attempt, this.options.retryBackoffMs, this.options.maxRetryBackoffMs),
        )
      }
    }
  }

  private produceRequest(batches: ProducerBatch[]): ProduceRequest {
    const topics = new Map<string, { partition: number; records: Buffer }[]>()
    for (const batch of batches) {
      const partitions = topics.get(batch.topic) ?? []
      partitions.push({ partition: batch.partition, records: batch.encoded! })
      topics.set(batch.topic, partitions)
    }
    return {
      acks: Acks[this.options.acks],
      timeoutMs: this.options.ackTimeoutMs,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    }
  }

  private complete(batch: ProducerBatch, baseOffset: number): void {
    if (batch.stamp !== undefined) this.identity?.acknowledged(batch.topic, batch.partition, batch.stamp)
    this.finish(batch)
    const { topic, partition } = batch
    const { completions } = batch
    for (let index = 0; index < completions.length; index++) {
      completions[index]!.acknowledged(topic, partition, baseOffset < 0 ? -1 : baseOffset + index)
    }
  }

  /** `brokerId`: the broker the error came from, when one did (absent: no leader to send to). */
  private failOrRetry(batch: ProducerBatch, error: unknown, brokerId?: number): void {
    this.accumulator.attemptFailed(batch)
    const broker = brokerId === undefined ? undefined : this.cluster.describeBroker(brokerId)
    const lastAttempt = describeAttempt(error, broker)
    this.lastAttempts.set(batch, lastAttempt)
    const firstSentAtMs = this.batchFirstSentAtMs.get(batch) ?? batch.createdAtMs
    const expired = this.clock.now() - firstSentAtMs >= this.options.deliveryTimeoutMs
    // A gap behind a batch that was unacknowledged when this one left is that batch's doing (it
    // failed, or is being retried): nothing was written, so this one goes again once it follows it.
    const behindGap = batch.sentBehind && error instanceof WeirError && error.code === 'OUT_OF_ORDER_SEQUENCE'
    if (!(isRetriable(error) || behindGap) || expired || batch.attempts >= this.options.retries) {
      if (batch.stamp !== undefined) {
        this.identity?.failed(
          batch.topic,
          batch.partition,
          batch.stamp,
          batch.recordCount,
          error,
          batch.attempts === 0,
        )
      }
      this.finish(batch)
      const final = isRetriable(error) ? this.givenUp(batch, error as WeirError, expired, lastAttempt) : error
      for (const completion of batch.completions) completion.failed(asError(final))
      return
    }
    const { retryBackoffMs, maxRetryBackoffMs } = this.options
    const delayMs = backoffMs(batch.attempts, retryBackoffMs, maxRetryBackoffMs)
    batch.attempts++
    this.cluster.instrumentation.logger.warn(
      {
        topic: batch.topic,
        partition: batch.partition,
        attempt: batch.attempts,
        retries: this.options.retries,
        error: error instanceof WeirError ? error.code : String(error),
      },
      `retrying a produce batch: ${error instanceof Error ? error.message : String(error)}`,
    )
    if (error instanceof WeirError && leaderErrors.has(error.code)) {
      // NOT_LEADER needs another leader; a broker that did not answer may simply answer again.
      const refused = error.code === 'NOT_LEADER' ? brokerId : undefined
      this.retryWithNewLeader(batch, brokerId, refused, delayMs)
      return
    }
    if (error instanceof WeirError && error.code === 'UNKNOWN_TOPIC') this.cluster.invalidate(batch.topic)
    this.retryAfter(batch, delayMs)
  }

  /**
   * The leader refused, has none, or did not answer: ask the other brokers now (the one that failed
   * last). A reachable leader (other than `refusedBy`, the broker that said NOT_LEADER) gets the
   * batch at once; otherwise it waits `delayMs` as any retry, or until one appears (leader-waits.ts).
   */
  private retryWithNewLeader(
    batch: ProducerBatch,
    failedBrokerId: number | undefined,
    refusedBy: number | undefined,
    delayMs: number,
  ): void {
    const refresh =
      failedBrokerId === undefined ? { refresh: true } : { refresh: true, avoid: failedBrokerId }
    this.cluster.topic(batch.topic, refresh).then(
      (topic) => {
        const leader = topic.partitions.find((entry) => entry.partition === batch.partition)?.leader ?? -1
        const usable = leader >= 0 && leader !== refusedBy && !this.cluster.isUnreachable(leader)
        if (usable) this.release(batch)
        else this.leaderWaits.wait(batch, refusedBy, delayMs)
      },
      () => this.leaderWaits.wait(batch, refusedBy, delayMs),
    )
  }

  private retryAfter(batch: ProducerBatch, delayMs: number): void {
    this.timers.setTimeout(() => this.retryNow(batch), delayMs)
  }

  private retryNow(batch: ProducerBatch): void {
    if (this.cluster.cachedTopic(batch.topic) === undefined) this.refreshThenRetry(batch)
    else this.release(batch)
  }

  private givenUp(batch: ProducerBatch, error: WeirError, expired: boolean, lastAttempt: string): WeirError {
    return deliveryError(error, {
      topic: batch.topic,
      partition: batch.partition,
      attempts: batch.attempts,
      retries: this.options.retries,
      lastAttempt,
      ...(expired ? { deliveryTimeoutMs: this.options.deliveryTimeoutMs } : {}),
    })
  }

  /** Hands a batch back to the accumulator for the next sender pass (after a refresh or backoff). */
  private release(batch: ProducerBatch): void {
    batch.busy = false
    this.scheduleDrain()
  }

  private finish(batch: ProducerBatch): void {
    this.accumulator.remove(batch)
    this.bufferedBytes -= batch.bytes
    if (batch.keyless) {
      const count = this.cluster.cachedTopic(batch.topic)?.partitions.length
      if (count) this.stickyFor(batch.topic).batchSealed(count)
    }
    this.pump()
    this.scheduleDrain()
  }

  private checkIdle(): void {
    if (!this.idle) return
    for (const resolve of this.flushWaiters.splice(0)) resolve()
  }
}

function initError(error: WeirError): WeirError {
  if (error.code !== 'UNKNOWN_API') return error
  return new WeirError(
    'UNSUPPORTED_VERSION',
    'the broker does not support idempotent producers (InitProducerId); upgrade it or create the producer with idempotent: false',
    { cause: error },
  )
}

function isRetriable(error: unknown): boolean {
  return error instanceof WeirError && error.retriable
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new WeirError('UNKNOWN_SERVER_ERROR', String(error))
}
