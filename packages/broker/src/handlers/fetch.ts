// Fetch: a long poll. Each round subscribes to the partitions first and then reads them, so an
// append landing between the read and the wait still wakes it; it answers once `minBytes` are
// available, when any partition has an error, at `maxWaitMs` (capped by maxFetchWaitMs), or at
// shutdown. Consumers see only batches below the high watermark (committed by a majority of the
// partition's replicas, durable per the topic's fsync policy), so data a failover or a crash could
// take back is never served.
// Bounds: the response holds at most min(maxBytes, limits.fetchMaxBytes) bytes of records (the
// first batch excepted, as Kafka does, so a consumer always progresses), and no more than the
// connection's ResponseRoom grants, so Fetches in flight for a client that does not read cannot
// pile up responses. A partition named twice in one Fetch is refused with INVALID_REQUEST: the
// same bytes twice would only multiply the response.
// Reads go into the broker's pooled buffers (readBufferPool): the buffers a returned round's
// records live in are released by the connection once the frame is written (pooled-reads.ts); a
// round not returned (still below minBytes) releases its buffers at once.
import {
  BatchField,
  batchSizeAt,
  Fetch,
  type FetchPartition,
  type FetchPartitionResult,
  type FetchRequest,
  type FetchResponse,
  lastOffsetAt,
  type ReceiveBufferPool,
  settlesWithin,
  WeirError,
} from '@weir/protocol'
import { authorize } from './authorize.js'
import { fetchPosition } from './fetch-position.js'
import { defineHandler, errorFields, type HandlerContext } from './handler.js'
import { holdsPooled } from './pooled-reads.js'
import { readablePartition } from './readable-partition.js'

const empty = Buffer.alloc(0)

export const fetchHandler = defineHandler({
  api: Fetch,
  waitMs: (request, context) => Math.min(request.maxWaitMs, context.limits.maxFetchWaitMs),
  async handle(request, context) {
    const { clock, timers } = context.environment
    refuseDuplicates(request)
    // A peer's fetch is a replica restoring from this leader: reassignment progress counts it.
    const peerId = context.peerSession?.peerId
    if (peerId !== undefined) context.cluster.noteCopy(peerId, request)
    const deadline = clock.now() + Math.min(request.maxWaitMs, context.limits.maxFetchWaitMs)
    const watched = request.topics.flatMap((topic) =>
      topic.partitions.map(({ partition }) => ({ topic: topic.name, partition })),
    )
    for (;;) {
      let wake: () => void = () => {}
      const woken = new Promise<void>((resolve) => (wake = resolve))
      const unsubscribe = context.watch.subscribe(watched, wake)
      const reservation = new Reservation(context.responseRoom)
      const reads = new PooledReads(context.readBufferPool)
      let round: Round
      try {
        round = await readRound(request, reservation, reads, context)
      } catch (error) {
        reads.releaseAll()
        throw error
      } finally {
        reservation.releaseAll()
      }
      const remainingMs = deadline - clock.now()
      if (round.bytes >= request.minBytes || round.failed || remainingMs <= 0 || context.isClosing()) {
        unsubscribe()
        reads.handTo(round.response)
        return round.response
      }
      reads.releaseAll()
      await settlesWithin(timers, woken, remainingMs)
      unsubscribe()
    }
  },
})

interface Round {
  readonly response: FetchResponse
  readonly bytes: number
  readonly failed: boolean
}

/** INVALID_REQUEST when a topic-partition appears more than once. */
function refuseDuplicates(request: FetchRequest): void {
  const seen = new Set<string>()
  for (const topic of request.topics) {
    for (const { partition } of topic.partitions) {
      const key = `${topic.name}\u0000${partition}`
      if (seen.has(key))
        throw new WeirError(
          'INVALID_REQUEST',
          `Fetch names ${topic.name}/${partition} more than once; name each partition once`,
        )
      seen.add(key)
    }
  }
}

/**
 * What one round holds of the connection's ResponseRoom: each read reserves up to what it may
 * return, then keeps only what it did return, so concurrent Fetches see each other's bytes.
 */
class Reservation {
  private heldBytes = 0

  constructor(private readonly room: HandlerContext['responseRoom']) {}

  reserve(wantedBytes: number): number {
    const granted = this.room.reserve(wantedBytes)
    this.heldBytes += granted
    return granted
  }

  /** Gives back what a read was granted and did not use. */
  keep(grantedBytes: number, usedBytes: number): void {
    const unused = Math.max(0, grantedBytes - usedBytes)
    this.room.release(unused)
    this.heldBytes -= unused
  }

  releaseAll(): void {
    this.room.release(this.heldBytes)
    this.heldBytes = 0
  }
}

/** The pooled buffers one round's reads went to; those holding returned records go with the response. */
class PooledReads {
  private readonly kept: Buffer[] = []

  constructor(private readonly pool: ReceiveBufferPool | undefined) {}

  /** A log read: its bytes land in pooled buffers; those not holding `keep(...)`'s bytes go back at once. */
  async read(
    log: {
      read(offset: number, maxBytes: number, allocate?: (bytes: number) => Buffer): Promise<{ bytes: Buffer }>
    },
    offset: number,
    maxBytes: number,
    keep: (bytes: Buffer) => Buffer,
  ): Promise<Buffer> {
    const pool = this.pool
    if (pool === undefined) return keep((await log.read(offset, maxBytes)).bytes)
    const acquired: Buffer[] = []
    const allocate = (bytes: number) => {
      if (!pool.pools(bytes)) return Buffer.allocUnsafe(bytes)
      const buffer = pool.acquire(bytes)
      acquired.push(buffer)
      return buffer
    }
    let kept: Buffer | undefined
    try {
      kept = keep((await log.read(offset, maxBytes, allocate)).bytes)
      return kept
    } finally {
      for (const buffer of acquired) {
        if (kept !== undefined && kept.length > 0 && kept.buffer === buffer.buffer) this.kept.push(buffer)
        else pool.release(buffer)
      }
    }
  }

  /** The response's bytes live in the kept buffers: the connection releases them once it is written. */
  handTo(response: object): void {
    if (this.pool !== undefined) holdsPooled(response, this.pool, this.kept.splice(0))
  }

  releaseAll(): void {
    for (const buffer of this.kept.splice(0)) this.pool?.release(buffer)
  }
}

/** Reads every partition once, honouring each partition's maxBytes and the round's total (fetchMaxBytes at most). */
async function readRound(
  request: FetchRequest,
  reservation: Reservation,
  reads: PooledReads,
  context: HandlerContext,
): Promise<Round> {
  const maxBytes = Math.min(request.maxBytes, context.limits.fetchMaxBytes)
  let bytes = 0
  let failed = false
  const topics: FetchResponse['topics'][number][] = []
  for (const topic of request.topics) {
    const partitions: FetchPartitionResult[] = []
    for (const wanted of topic.partitions) {
      const remaining = maxBytes - bytes
      const result = await readPartition(
        topic.name,
        wanted,
        remaining,
        bytes > 0,
        reservation,
        reads,
        context,
      )
      bytes += result.records.length
      failed ||= result.errorCode !== 0
      partitions.push(result)
    }
    topics.push({ name: topic.name, partitions })
  }
  return { response: { topics }, bytes, failed }
}

async function readPartition(
  topicName: string,
  wanted: FetchPartition,
  remainingBytes: number,
  haveData: boolean,
  reservation: Reservation,
  reads: PooledReads,
  context: HandlerContext,
): Promise<FetchPartitionResult> {
  const { partition, fetchOffset } = wanted
  try {
    authorize(context, 'Read', 'Topic', topicName)
    const { log, highWatermark } = readablePartition(context, topicName, partition)
    const logStartOffset = log.logStartOffset
    const position = fetchPosition(fetchOffset, logStartOffset, highWatermark, log.logEndOffset)
    if (position === 'out-of-range') {
      const error = new WeirError(
        'OFFSET_OUT_OF_RANGE',
        `fetchOffset ${fetchOffset} of ${topicName}/${partition}: readable offsets are ${logStartOffset} to ${highWatermark}`,
      )
      // The range comes back with the error: a consumer (or a replica restoring) can move there.
      const fields = { errorCode: error.errorCode, errorMessage: error.message }
      return { partition, ...fields, highWatermark, logStartOffset, records: empty }
    }
    const result = { partition, errorCode: 0, highWatermark, logStartOffset }
    // Past the total budget only a partition that would be the response's first data still reads.
    if (position === 'nothing-yet' || (haveData && remainingBytes <= 0)) return { ...result, records: empty }
    // A read costs at most what the log holds: reserving that, not maxBytes, keeps small logs cheap.
    const limitBytes = Math.max(1, Math.min(wanted.maxBytes, remainingBytes, log.sizeBytes))
    const grantedBytes = reservation.reserve(limitBytes)
    // No room on the connection (its client is not reading): no records this round.
    if (grantedBytes === 0) return { ...result, records: empty }
    let records: Buffer = empty
    try {
      records = await reads.read(log, fetchOffset, grantedBytes, (bytes) =>
        belowHighWatermark(bytes, highWatermark),
      )
    } finally {
      reservation.keep(grantedBytes, records.length)
    }
    return { ...result, records }
  } catch (error) {
    // Damage in a replicated log is repaired from another replica: the reader is sent elsewhere.
    const answer = context.cluster.readFailed(topicName, partition, error)
    return {
      partition,
      ...errorFields(answer, context.logger, 'Fetch'),
      highWatermark: -1,
      logStartOffset: -1,
      records: empty,
    }
  }
}

/** The leading whole batches whose last offset is below the high watermark. */
export function belowHighWatermark(bytes: Buffer, highWatermark: number): Buffer {
  let end = 0
  while (end + BatchField.records <= bytes.length) {
    if (lastOffsetAt(bytes, end) >= highWatermark) break
    end += batchSizeAt(bytes, end)
  }
  return end === bytes.length ? bytes : bytes.subarray(0, Math.min(end, bytes.length))
}
