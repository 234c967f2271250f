// Fetches an assignment of partitions into a PrefetchBuffer: one long-poll Fetch loop per leader
// broker, each waiting for buffer space before every fetch. The assignment and start offsets come
// from outside (the consumer without a group reads every partition; a group member will get them
// from its coordinator and committed offsets), so groups reuse this unchanged.
import {
  batchHeaderBytes,
  batchLengthPrefixBytes,
  batchSizeAt,
  delay,
  errorFromWire,
  Fetch,
  type FetchPartitionResult,
  type FetchRequest,
  ListOffsets,
  lastOffsetAt,
  OffsetSpec,
  WeirError,
} from '@weir/protocol'
import type { Cluster } from './cluster.js'
import { watchLeadership } from './leader-watch.js'
import { backoffMs } from './limits.js'
import type { PrefetchBuffer } from './prefetch-buffer.js'

export interface FetcherOptions {
  readonly maxWaitMs: number
  readonly minBytes: number
  readonly maxBytes: number
  readonly partitionMaxBytes: number
  readonly retryBackoffMs: number
  readonly retryBackoffMsMax: number
  /** Where to go after OFFSET_OUT_OF_RANGE. */
  readonly resetTo: 'earliest' | 'latest'
}

export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

export interface PartitionOffset extends TopicPartition {
  readonly offset: number
}

interface PartitionState {
  readonly topic: string
  readonly partition: number
  /** Next offset to fetch. */
  position: number
  paused: boolean
  /** Bumped by seek/pause/revoke: a fetch answer for an older epoch is dropped. */
  epoch: number
}

const closedMark = Symbol('closed')

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

export class PartitionFetcher {
  private readonly states = new Map<string, PartitionState>()
  private readonly loops = new Map<number, Promise<void>>()
  private readonly refreshing = new Set<string>()
  private closed = false
  // Resolves on close(): a long poll in flight is abandoned rather than awaited, so closing a
  // consumer never waits up to maxWaitMs for an answer it would drop anyway.
  private signalClosed: () => void = () => {}
  private readonly closing = new Promise<typeof closedMark>((resolve) => {
    this.signalClosed = () => resolve(closedMark)
  })

  constructor(
    private readonly cluster: Cluster,
    private readonly buffer: PrefetchBuffer,
    private readonly options: FetcherOptions,
    private readonly onFatal: (error: WeirError) => void,
  ) {}

  /** Adds partitions (or moves existing ones) at the given offsets and starts fetching them. */
  assign(partitions: readonly PartitionOffset[]): void {
    for (const { topic, partition, offset } of partitions) {
      const key = partitionKey(topic, partition)
      const state = this.states.get(key)
      if (state) this.moveTo(state, offset)
      else this.states.set(key, { topic, partition, position: offset, paused: false, epoch: 0 })
    }
    this.ensureLoops()
  }

  /** Stops fetching partitions and drops their buffered records (a group rebalance). */
  revoke(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) {
      const state = this.states.get(partitionKey(topic, partition))
      if (state === undefined) continue
      state.epoch++
      this.buffer.drop(topic, partition)
      this.states.delete(partitionKey(topic, partition))
    }
  }

  assignment(): TopicPartition[] {
    return [...this.states.values()].map(({ topic, partition }) => ({ topic, partition }))
  }

  has(topic: string, partition: number): boolean {
    return this.states.has(partitionKey(topic, partition))
  }

  seek(topic: string, partition: number, offset: number): void {
    const state = this.states.get(partitionKey(topic, partition))
    if (state === undefined) {
      throw new WeirError('UNKNOWN_PARTITION', `${topic}/${partition} is not assigned to this consumer`)
    }
    this.buffer.drop(topic, partition)
    this.moveTo(state, offset)
    this.ensureLoops()
  }

  /** Stops fetching; buffered records are dropped and fetched again on resume. */
  pause(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) {
      const state = this.states.get(partitionKey(topic, partition))
      if (state === undefined || state.paused) continue
      const firstBuffered = this.buffer.drop(topic, partition)
      if (firstBuffered !== undefined) state.position = firstBuffered
      state.paused = true
      state.epoch++
    }
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) {
      const state = this.states.get(partitionKey(topic, partition))
      if (state) state.paused = false
    }
    this.ensureLoops()
  }

  paused(): TopicPartition[] {
    return [...this.states.values()]
      .filter((state) => state.paused)
      .map(({ topic, partition }) => ({ topic, partition }))
  }

  async close(): Promise<void> {
    this.closed = true
    this.signalClosed()
    this.buffer.wakeAll()
    await Promise.allSettled([...this.loops.values()])
  }

  private moveTo(state: PartitionState, offset: number): void {
    if (!Number.isInteger(offset) || offset < 0) {
      throw new WeirError('OFFSET_OUT_OF_RANGE', `cannot seek ${state.topic}/${state.partition} to ${offset}`)
    }
    state.position = offset
    state.epoch++
  }

  /** Starts a fetch loop for every leader of an active partition; refreshes unknown leaders. */
  private ensureLoops(): void {
    if (this.closed) return
    for (const state of this.states.values()) {
      if (state.paused) continue
      const leader = this.leaderOf(state)
      if (leader === undefined) this.refresh(state.topic)
      else if (!this.loops.has(leader)) {
        const loop = this.fetchLoop(leader).finally(() => {
          this.loops.delete(leader)
          this.ensureLoops()
        })
        this.loops.set(leader, loop)
      }
    }
  }

  private leaderOf(state: PartitionState): number | undefined {
    const metadata = this.cluster.cachedTopic(state.topic)
    const leader = metadata?.partitions.find((entry) => entry.partition === state.partition)?.leader
    return leader === undefined || leader < 0 ? undefined : leader
  }

  private leaderEpochOf(state: PartitionState): number | undefined {
    const metadata = this.cluster.cachedTopic(state.topic)
    return metadata?.partitions.find((entry) => entry.partition === state.partition)?.leaderEpoch
  }

  /** `avoid`: the broker that just answered NOT_LEADER or failed; other brokers are asked first. */
  private refresh(topic: string, attempt = 0, avoid?: number): void {
    if (this.refreshing.has(topic) || this.closed) return
    this.refreshing.add(topic)
    this.cluster.topic(topic, avoid === undefined ? { refresh: true } : { refresh: true, avoid }).then(
      async () => {
        // Still no leader (an election under way): wait before asking again.
        const leaderless = [...this.states.values()].some(
          (state) => state.topic === topic && !state.paused && this.leaderOf(state) === undefined,
        )
        if (leaderless)
          await delay(
            this.cluster.environment.timers,
            backoffMs(attempt, this.options.retryBackoffMs, this.options.retryBackoffMsMax),
          )
        this.refreshing.delete(topic)
        if (leaderless) this.refresh(topic, attempt + 1)
        this.ensureLoops()
      },
      async (error: unknown) => {
        if (!(error instanceof WeirError) || !error.retriable) {
          this.refreshing.delete(topic)
          this.onFatal(asWeirError(error))
          return
        }
        await delay(
          this.cluster.environment.timers,
          backoffMs(attempt, this.options.retryBackoffMs, this.options.retryBackoffMsMax),
        )
        this.refreshing.delete(topic)
        this.refresh(topic, attempt + 1)
      },
    )
  }

  private statesLedBy(brokerId: number): PartitionState[] {
    return [...this.states.values()].filter((state) => !state.paused && this.leaderOf(state) === brokerId)
  }

  private async fetchLoop(brokerId: number): Promise<void> {
    let failures = 0
    while (!this.closed) {
      await this.buffer.waitForSpace()
      if (this.closed) return
      const states = this.statesLedBy(brokerId)
      if (states.length === 0) return
      const epochs = new Map(states.map((state) => [state, state.epoch]))
      try {
        const fetched = this.cluster.requestTo(brokerId, Fetch, this.fetchRequest(states), {
          extraTimeoutMs: this.options.maxWaitMs,
        })
        // A paused leader never answers: give the fetch up once its partitions moved (leader-watch.ts).
        const watched = states.map((state) => ({
          topic: state.topic,
          partition: state.partition,
          leaderEpoch: this.leaderEpochOf(state),
        }))
        const watch = watchLeadership(this.cluster, brokerId, watched, { expectedMs: this.options.maxWaitMs })
        // The abandoned request settles later (its answer or the connection's close); race has
        // already attached a handler to it, so that is no unhandled rejection.
        const response = await Promise.race([
          fetched,
          this.closing,
          watch.superseded.then((error) => Promise.reject(error)),
        ]).finally(() => watch.stop())
        if (response === closedMark) return
        failures = 0
        try {
          for (const topic of response.topics) {
            for (const result of topic.partitions) {
              const state = this.states.get(partitionKey(topic.name, result.partition))
              if (state === undefined || state.paused || epochs.get(state) !== state.epoch) continue
              await this.accept(state, result, brokerId)
            }
          }
        } finally {
          // The connection handed this loop the response frame's hold; each chunk pushed holds its own.
          const frame = response.topics[0]?.partitions[0]?.records
          if (frame !== undefined) this.cluster.receivePool.release(frame)
        }
      } catch (error) {
        if (this.closed) return
        const weirError = asWeirError(error)
        if (!weirError.retriable) {
          this.onFatal(weirError)
          return
        }
        this.cluster.instrumentation.logger.warn(
          { broker: brokerId, error: weirError.code, failures: failures + 1 },
          `fetch from broker ${brokerId} failed, retrying: ${weirError.message}`,
        )
        // Ask the other brokers now: partitions that moved are fetched from their new leader at
        // once (ensureLoops); only those still led here wait a backoff before this broker is asked again.
        const topics = [...new Set(states.map((state) => state.topic))]
        const refreshed = Promise.all(
          topics.map((topic) =>
            this.cluster.topic(topic, { refresh: true, avoid: brokerId }).catch(() => undefined),
          ),
        )
        if ((await Promise.race([refreshed, this.closing])) === closedMark) return
        this.ensureLoops()
        if (this.statesLedBy(brokerId).length === 0) return
        const pauseMs = backoffMs(failures++, this.options.retryBackoffMs, this.options.retryBackoffMsMax)
        if (
          (await Promise.race([delay(this.cluster.environment.timers, pauseMs), this.closing])) === closedMark
        )
          return
        for (const topic of topics) this.refresh(topic, 0, brokerId)
        return // ensureLoops restarts a loop for whichever broker leads now
      }
    }
  }

  private fetchRequest(states: readonly PartitionState[]): FetchRequest {
    const topics = new Map<string, { partition: number; fetchOffset: number; maxBytes: number }[]>()
    for (const state of states) {
      const partitions = topics.get(state.topic) ?? []
      partitions.push({
        partition: state.partition,
        fetchOffset: state.position,
        maxBytes: this.options.partitionMaxBytes,
      })
      topics.set(state.topic, partitions)
    }
    return {
      maxWaitMs: this.options.maxWaitMs,
      minBytes: this.options.minBytes,
      maxBytes: this.options.maxBytes,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    }
  }

  /** Takes one partition's answer: records into the buffer, or the error's remedy. */
  private async accept(state: PartitionState, result: FetchPartitionResult, brokerId: number): Promise<void> {
    if (result.errorCode !== 0) {
      const error = errorFromWire(result.errorCode, result.errorMessage)
      if (error.code === 'OFFSET_OUT_OF_RANGE') await this.reset(state)
      else if (error.retriable) this.refresh(state.topic, 0, brokerId)
      else this.onFatal(error)
      return
    }
    const fromOffset = state.position
    const { nextOffset, bytes } = scanFetched(result.records, fromOffset)
    if (nextOffset > state.position) state.position = nextOffset
    const batches = bytes === result.records.length ? result.records : result.records.subarray(0, bytes)
    this.buffer.push({ topic: state.topic, partition: state.partition, batches, fromOffset, bytes })
  }

  /** OFFSET_OUT_OF_RANGE: move to the log start or end, per `resetTo`. */
  private async reset(state: PartitionState): Promise<void> {
    const epoch = state.epoch
    try {
      const [offset] = await listOffsets(this.cluster, [state], OffsetSpec[this.options.resetTo])
      if (state.epoch === epoch && offset !== undefined) state.position = offset
    } catch (error) {
      const weirError = asWeirError(error)
      if (!weirError.retriable) this.onFatal(weirError)
    }
  }
}

/**
 * Walks the whole batches of a fetch answer without decoding them (the prefetch buffer decodes each
 * when the iterator reaches it): the offset after the last one and their length in bytes. A
 * truncated last batch is left for the next fetch.
 */
export function scanFetched(bytes: Buffer, fromOffset: number): { nextOffset: number; bytes: number } {
  let position = 0
  let nextOffset = fromOffset
  while (position < bytes.length) {
    const size = wholeBatchBytes(bytes, position)
    if (size === undefined) break
    nextOffset = Math.max(nextOffset, lastOffsetAt(bytes, position) + 1)
    position += size
  }
  return { nextOffset, bytes: position }
}

/**
 * The size of the batch at `position` when all of it is there, undefined for a truncated tail (the
 * next fetch gets it whole). Only the length is checked here: decodeRecordBatch checks the rest.
 */
function wholeBatchBytes(bytes: Buffer, position: number): number | undefined {
  const available = bytes.length - position
  if (available < batchLengthPrefixBytes) return undefined
  const size = batchSizeAt(bytes, position)
  if (size < batchHeaderBytes) {
    throw new WeirError('CORRUPT_MESSAGE', `fetched batch at byte ${position} is shorter than a header`)
  }
  return size > available ? undefined : size
}

/** listOffsets tries this many times when leaders move (an election, a failover) before giving up. */
const listOffsetsAttemptsMax = 12

/**
 * Offsets for partitions by spec (-2 earliest, -1 latest, or a timestamp), asking each leader.
 * Retriable errors (NOT_LEADER during a failover, a broker that went away) refresh the metadata
 * and try again with backoff; the last error is thrown after listOffsetsAttemptsMax tries.
 */
export async function listOffsets(
  cluster: Cluster,
  partitions: readonly TopicPartition[],
  timestamp: number,
): Promise<number[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await listOffsetsOnce(cluster, partitions, timestamp, { refresh: attempt > 0 })
    } catch (error) {
      if (!(error instanceof WeirError) || !error.retriable || attempt + 1 >= listOffsetsAttemptsMax)
        throw error
      await delay(cluster.environment.timers, backoffMs(attempt, 100, 2000))
    }
  }
}

async function listOffsetsOnce(
  cluster: Cluster,
  partitions: readonly TopicPartition[],
  timestamp: number,
  lookup: { readonly refresh: boolean },
): Promise<number[]> {
  const byLeader = new Map<number, number[]>()
  // One metadata lookup (or refresh) per topic, however many of its partitions are asked for.
  const topics = new Map<string, ReturnType<Cluster['topic']>>()
  for (let index = 0; index < partitions.length; index++) {
    const { topic, partition } = partitions[index]!
    if (!topics.has(topic)) topics.set(topic, cluster.topic(topic, lookup))
    const metadata = await topics.get(topic)!
    const leader = metadata.partitions.find((entry) => entry.partition === partition)?.leader ?? -1
    const group = byLeader.get(leader) ?? []
    group.push(index)
    byLeader.set(leader, group)
  }
  const offsets = new Array<number>(partitions.length)
  await Promise.all(
    [...byLeader].map(async ([leader, indexes]) => {
      const topics = new Map<string, { partition: number; timestamp: number }[]>()
      for (const index of indexes) {
        const { topic, partition } = partitions[index]!
        topics.set(topic, [...(topics.get(topic) ?? []), { partition, timestamp }])
      }
      const response = await cluster.requestTo(leader, ListOffsets, {
        topics: [...topics].map(([name, entries]) => ({ name, partitions: entries })),
      })
      for (const index of indexes) {
        const { topic, partition } = partitions[index]!
        const result = response.topics
          .find((entry) => entry.name === topic)
          ?.partitions.find((entry) => entry.partition === partition)
        if (result === undefined)
          throw new WeirError('UNKNOWN_SERVER_ERROR', `no ListOffsets result for ${topic}/${partition}`)
        if (result.errorCode !== 0) throw errorFromWire(result.errorCode, result.errorMessage)
        offsets[index] = result.offset
      }
    }),
  )
  return offsets
}

function asWeirError(error: unknown): WeirError {
  return error instanceof WeirError
    ? error
    : new WeirError('UNKNOWN_SERVER_ERROR', error instanceof Error ? error.message : String(error), {
        cause: error,
      })
}
