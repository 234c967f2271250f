// A consumer without a group: it reads every partition of its topics itself, starting at the log
// start (`fromBeginning`) or the log end, and yields messages through async iteration. Fetching is
// delegated to a PartitionFetcher over a bounded PrefetchBuffer; a consumer group (later) will feed
// the same fetcher an assignment and committed offsets instead of "all partitions from here".
import { type DecodedRecord, delay, OffsetSpec, WeirError } from '@weir/protocol'
import type { Cluster } from './cluster.js'
import type { Codec } from './codecs.js'
import { backoffMs, integerOption, renamedOption } from './limits.js'
import type { Message } from './message.js'
import { checkTimestamp, offsetsForTimes } from './offsets-for-times.js'
import {
  listOffsets,
  PartitionFetcher,
  type PartitionOffset,
  partitionKey,
  type TopicPartition,
} from './partition-fetcher.js'
import { type FetchedChunk, PrefetchBuffer } from './prefetch-buffer.js'
import { ReceivedMessage } from './received-message.js'
import { resolveTopic, type TopicRef } from './topic.js'

export interface ConsumerOptions<R extends TopicRef<unknown>> {
  readonly topics: readonly R[]
  /** Start at the log start; otherwise at the log end (only messages produced after start). Default false. */
  readonly fromBeginning?: boolean
  /** Set it (with the group options) to get a GroupConsumer from `client.consumer`. */
  readonly groupId?: undefined
  /** Long-poll: the broker answers after this long even without `minBytes`. Default 500. */
  readonly maxWaitMs?: number
  /** Default 1. */
  readonly minBytes?: number
  /** Bytes one fetch response may carry over all partitions. Default 8 MiB. */
  readonly maxBytes?: number
  /** Bytes per partition per fetch (a first batch larger than this still comes). Default 1 MiB. */
  readonly maxPartitionBytes?: number
  /** @deprecated Use maxPartitionBytes (the new name wins when both are given). */
  readonly partitionMaxBytes?: number
  /** No fetch runs while this many fetched bytes wait for the iterator. Default 16 MiB. */
  readonly maxPrefetchBytes?: number
  /** @deprecated Use maxPrefetchBytes (the new name wins when both are given). */
  readonly prefetchBytesMax?: number
  /** Defaults 100 and 1000 (Kafka's retry.backoff.ms and retry.backoff.max.ms). */
  readonly retryBackoffMs?: number
  readonly maxRetryBackoffMs?: number
  /** @deprecated Use maxRetryBackoffMs (the new name wins when both are given). */
  readonly retryBackoffMsMax?: number
  /** Retriable errors while finding partitions and start offsets are retried this long. Default 30 000. */
  readonly startTimeoutMs?: number
}

/** One partition, or KafkaJS's shape: a topic's listed partitions, or all of them. */
export type PartitionSelector =
  | TopicPartition
  | { readonly topic: string; readonly partitions?: readonly number[] }

/** A partition's position, updated in place so the per-message path keeps a reference to it. */
interface PositionCell {
  offset: number
}

const iterationDone: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined })

export class Consumer<T> implements AsyncIterable<Message<T>> {
  private readonly codecs = new Map<string, Codec<unknown>>()
  private readonly buffer: PrefetchBuffer
  private readonly fetcher: PartitionFetcher
  private readonly pendingSeeks = new Map<string, PartitionOffset>()
  private readonly consumed = new Map<string, PositionCell>()
  // The chunk the last message came from, with its codec and position: consecutive messages mostly
  // share a chunk, so the per-message path does no map lookups and builds no keys.
  private currentChunk: FetchedChunk | undefined
  private currentCodec: Codec<unknown> | undefined
  private currentPosition: PositionCell = { offset: 0 }
  private readonly fromBeginning: boolean
  private readonly startTimeoutMs: number
  private readonly retryBackoffMs: number
  private readonly retryBackoffMsMax: number
  private readonly started: Promise<void>
  private fatal: WeirError | undefined
  private closed = false

  constructor(
    private readonly cluster: Cluster,
    options: ConsumerOptions<TopicRef<unknown>>,
    /** Internal: a group consumer assigns partitions itself (assignPartitions) instead of reading all. */
    internal: { readonly manualAssignment?: boolean } = {},
  ) {
    const owner = 'consumer'
    if (options.groupId !== undefined) {
      throw new WeirError(
        'INVALID_CONFIG',
        'consumer groupId is not supported yet: omit it to read every partition',
      )
    }
    if (!Array.isArray(options.topics) || options.topics.length === 0) {
      throw new WeirError('INVALID_CONFIG', 'consumer option topics must name at least one topic')
    }
    for (const ref of options.topics) {
      const topic = resolveTopic(ref)
      this.codecs.set(topic.name, topic.codec)
    }
    this.fromBeginning = options.fromBeginning ?? false
    this.retryBackoffMs = integerOption(owner, 'retryBackoffMs', options.retryBackoffMs, 100, 1, 60_000)
    this.retryBackoffMsMax = integerOption(
      owner,
      ...renamedOption(options, 'maxRetryBackoffMs', 'retryBackoffMsMax'),
      1000,
      1,
      600_000,
    )
    this.startTimeoutMs = integerOption(owner, 'startTimeoutMs', options.startTimeoutMs, 30_000, 0)
    const frameBytesMax = cluster.options.frameBytesMax
    const maxBytes = integerOption(owner, 'maxBytes', options.maxBytes, 8 << 20, 1, frameBytesMax - 4096)
    this.buffer = new PrefetchBuffer(
      integerOption(owner, ...renamedOption(options, 'maxPrefetchBytes', 'prefetchBytesMax'), 16 << 20, 1),
      cluster.receivePool,
    )
    this.fetcher = new PartitionFetcher(
      cluster,
      this.buffer,
      {
        maxWaitMs: integerOption(owner, 'maxWaitMs', options.maxWaitMs, 500, 0, 60_000),
        minBytes: integerOption(owner, 'minBytes', options.minBytes, 1, 0, maxBytes),
        maxBytes,
        partitionMaxBytes: integerOption(
          owner,
          ...renamedOption(options, 'maxPartitionBytes', 'partitionMaxBytes'),
          1 << 20,
          1,
          maxBytes,
        ),
        retryBackoffMs: this.retryBackoffMs,
        retryBackoffMsMax: this.retryBackoffMsMax,
        resetTo: this.fromBeginning ? 'earliest' : 'latest',
      },
      (error) => this.failWith(error),
    )
    this.started = internal.manualAssignment ? Promise.resolve() : this.start()
    this.started.catch((error: unknown) => this.failWith(asWeirError(error)))
  }

  /** Resolves once every partition has a start offset and fetching has begun. */
  async ready(): Promise<void> {
    await this.started
  }

  /** Reads a partition from `offset` next; records already buffered for it are dropped. */
  seek(target: PartitionOffset): void {
    this.assertOpen()
    if (!this.codecs.has(target.topic)) {
      throw new WeirError('UNKNOWN_TOPIC', `the consumer does not read topic ${target.topic}`)
    }
    const key = partitionKey(target.topic, target.partition)
    if (this.fetcher.has(target.topic, target.partition))
      this.fetcher.seek(target.topic, target.partition, target.offset)
    else this.pendingSeeks.set(key, target)
    this.positionCell(key).offset = target.offset
  }

  /**
   * Seeks each listed partition (all of the topic's when `partitions` is omitted) to its first
   * record at or after `timestamp` (ms since the epoch), or to the log end when none is that new.
   * Resolves with the offsets it moved to.
   */
  async seekToTimestamp(target: {
    readonly topic: string
    readonly partitions?: readonly number[]
    readonly timestamp: number
  }): Promise<PartitionOffset[]> {
    this.assertOpen()
    if (!this.codecs.has(target.topic)) {
      throw new WeirError('UNKNOWN_TOPIC', `the consumer does not read topic ${target.topic}`)
    }
    checkTimestamp(target.timestamp)
    let partitions: TopicPartition[]
    if (target.partitions !== undefined)
      partitions = target.partitions.map((partition) => ({ topic: target.topic, partition }))
    else {
      const metadata = await this.cluster.topic(target.topic)
      partitions = metadata.partitions.map((entry) => ({ topic: target.topic, partition: entry.partition }))
    }
    const offsets = await offsetsForTimes(this.cluster, partitions, target.timestamp)
    if (!this.closed) for (const offset of offsets) this.seek(offset)
    return offsets
  }

  /**
   * Stops fetching partitions; their buffered records are dropped and fetched again on resume.
   * Entries are `{ topic, partition }` or KafkaJS's `{ topic, partitions? }` (all of the topic's
   * when `partitions` is omitted).
   */
  pause(partitions: readonly PartitionSelector[]): void {
    this.assertOpen()
    this.fetcher.pause(this.selected(partitions))
  }

  resume(partitions: readonly PartitionSelector[]): void {
    this.assertOpen()
    this.fetcher.resume(this.selected(partitions))
  }

  private selected(selectors: readonly PartitionSelector[]): TopicPartition[] {
    if (!Array.isArray(selectors))
      throw new WeirError(
        'INVALID_CONFIG',
        'pause and resume take an array of { topic, partition } or { topic, partitions? }',
      )
    return selectors.flatMap((selector): TopicPartition[] => {
      if ('partition' in selector) return [selector]
      const { topic, partitions } = selector as {
        readonly topic: string
        readonly partitions?: readonly number[]
      }
      if (partitions !== undefined) return partitions.map((partition: number) => ({ topic, partition }))
      return this.fetcher.assignment().filter((owned) => owned.topic === topic)
    })
  }

  paused(): TopicPartition[] {
    return this.fetcher.paused()
  }

  assignment(): TopicPartition[] {
    return this.fetcher.assignment()
  }

  /** The offset after the last message yielded for a partition (what a group would commit). */
  position(target: TopicPartition): number | undefined {
    return this.consumed.get(partitionKey(target.topic, target.partition))?.offset
  }

  /** Bytes fetched and not yet yielded (bounded by maxPrefetchBytes plus one fetch). */
  get bufferedBytes(): number {
    return this.buffer.bytes
  }

  /** Internal (group consumer): starts fetching these partitions at these offsets. */
  assignPartitions(partitions: readonly PartitionOffset[]): void {
    this.assertOpen()
    for (const { topic, partition, offset } of partitions)
      this.positionCell(partitionKey(topic, partition)).offset = offset
    this.fetcher.assign(partitions)
  }

  /** Internal (group consumer): stops fetching these partitions and drops their buffered records. */
  revokePartitions(partitions: readonly TopicPartition[]): void {
    if (this.closed) return
    this.fetcher.revoke(partitions)
    for (const { topic, partition } of partitions) this.consumed.delete(partitionKey(topic, partition))
  }

  /** Internal (group consumer): a buffered message, without waiting; undefined when none is. */
  takeBuffered(): Message<T> | undefined {
    if (this.fatal) throw this.fatal
    return this.closed ? undefined : this.take()
  }

  /** Internal (group consumer): resolves when data is buffered, or on close or a fatal error. */
  waitForData(): Promise<void> {
    return this.buffer.waitForData()
  }

  /** Internal (group consumer): ends the iteration with `error`. */
  fail(error: WeirError): void {
    this.failWith(error)
  }

  /** Ends the iteration (a waiting `next()` returns done) and stops fetching. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.buffer.clear()
    await this.fetcher.close()
  }

  [Symbol.asyncIterator](): AsyncIterator<Message<T>> {
    return {
      next: () => this.next(),
      // Leaving a for-await loop does not close the consumer: seek and iterate again, or close().
      return: async () => iterationDone,
    }
  }

  /**
   * The next message, waiting for one; done once closed; throws a fatal error once it happens.
   * Not an async function: while messages are buffered it returns an already-resolved promise
   * without the cost of an async frame per message.
   */
  next(): Promise<IteratorResult<Message<T>, undefined>> {
    try {
      const message = this.fatal || this.closed ? undefined : this.take()
      if (message !== undefined) return Promise.resolve({ done: false, value: message })
    } catch (error) {
      return Promise.reject(error)
    }
    return this.nextWaiting()
  }

  private async nextWaiting(): Promise<IteratorResult<Message<T>, undefined>> {
    for (;;) {
      if (this.fatal) throw this.fatal
      if (this.closed) return iterationDone
      const message = this.take()
      if (message !== undefined) return { done: false, value: message }
      await this.buffer.waitForData()
    }
  }

  private take(): Message<T> | undefined {
    let record: DecodedRecord | undefined
    try {
      record = this.buffer.shift()
    } catch (error) {
      // A batch that does not decode (CORRUPT_MESSAGE) ends the iteration like any fatal error.
      this.failWith(asWeirError(error))
      throw error
    }
    if (record === undefined) return undefined
    const chunk = this.buffer.lastChunk!
    if (chunk !== this.currentChunk) this.enterChunk(chunk)
    this.currentPosition.offset = record.offset + 1
    return new ReceivedMessage<T>(chunk.topic, chunk.partition, record, this.currentCodec!)
  }

  private enterChunk(chunk: FetchedChunk): void {
    this.currentChunk = chunk
    this.currentCodec = this.codecs.get(chunk.topic)!
    this.currentPosition = this.positionCell(partitionKey(chunk.topic, chunk.partition))
  }

  private positionCell(key: string): PositionCell {
    let cell = this.consumed.get(key)
    if (cell === undefined) this.consumed.set(key, (cell = { offset: 0 }))
    return cell
  }

  private async start(): Promise<void> {
    const deadline = this.cluster.environment.clock.now() + this.startTimeoutMs
    for (let attempt = 0; ; attempt++) {
      try {
        const partitions = await this.allPartitions()
        const spec = this.fromBeginning ? OffsetSpec.earliest : OffsetSpec.latest
        const offsets = await listOffsets(this.cluster, partitions, spec)
        if (this.closed) return
        this.fetcher.assign(
          partitions.map((tp, index) => {
            const key = partitionKey(tp.topic, tp.partition)
            const offset = this.pendingSeeks.get(key)?.offset ?? offsets[index]!
            if (!this.consumed.has(key)) this.positionCell(key).offset = offset
            return { ...tp, offset }
          }),
        )
        this.pendingSeeks.clear()
        return
      } catch (error) {
        const weirError = asWeirError(error)
        if (this.closed || !weirError.retriable || this.cluster.environment.clock.now() >= deadline)
          throw weirError
        for (const topic of this.codecs.keys()) this.cluster.invalidate(topic)
        await delay(
          this.cluster.environment.timers,
          backoffMs(attempt, this.retryBackoffMs, this.retryBackoffMsMax),
        )
      }
    }
  }

  private async allPartitions(): Promise<TopicPartition[]> {
    const partitions: TopicPartition[] = []
    for (const topic of this.codecs.keys()) {
      const metadata = await this.cluster.topic(topic)
      for (const entry of metadata.partitions) partitions.push({ topic, partition: entry.partition })
    }
    return partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
  }

  private failWith(error: WeirError): void {
    if (this.closed || this.fatal) return
    this.fatal = error
    this.buffer.wakeAll()
    void this.fetcher.close()
  }

  private assertOpen(): void {
    if (this.closed) throw new WeirError('CLIENT_CLOSED', 'the consumer is closed')
  }
}

function asWeirError(error: unknown): WeirError {
  return error instanceof WeirError
    ? error
    : new WeirError('UNKNOWN_SERVER_ERROR', error instanceof Error ? error.message : String(error), {
        cause: error,
      })
}
