// Proves the producer partitions exactly like protocol's murmur3 rule, batches per partition, keeps per-partition order across retries, and bounds its buffer, against an in-memory fake broker.
import { readFileSync } from 'node:fs'
import {
  decodeRecordBatch,
  type Environment,
  ErrorCodes,
  isWeirError,
  nodeEnvironment,
  type ProduceRequest,
  type ProduceResponse,
  partitionForKey,
} from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { codecs, defineTopic, Producer } from '../src/index.js'
import { clusterWith, singleBrokerTopic } from './support/fake-cluster.js'

interface Fixture {
  cases: Array<{ key: string | { repeat: string; times: number }; partitions: Record<string, number> }>
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/murmur3-partitions.json', import.meta.url), 'utf8'),
) as Fixture

/**
 * A fake cluster whose one broker appends to in-memory logs; `failNext` injects partition errors.
 * Like a partition leader, it checks an idempotent batch's sequence: a resend is answered with its
 * first offset, a gap is refused with OUT_OF_ORDER_SEQUENCE.
 */
function fakeCluster(partitionCount: number, environment?: Environment) {
  const logs = new Map<number, Array<{ key: string | null; value: Buffer; offset: number }>>()
  const sequences = new Map<number, { next: number; offsets: Map<number, number> }>()
  const requests: ProduceRequest[] = []
  const failNext: number[] = []
  let inFlight = 0
  let inFlightPeak = 0
  const metadata = singleBrokerTopic('orders', partitionCount)
  const connection = {
    async request(_api: unknown, request: ProduceRequest): Promise<ProduceResponse> {
      requests.push(request)
      inFlightPeak = Math.max(inFlightPeak, ++inFlight)
      await new Promise((resolve) => setTimeout(resolve, 1))
      inFlight--
      const failure = failNext.shift()
      return {
        topics: request.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map(({ partition, records }) => {
            if (failure !== undefined)
              return { partition, errorCode: failure, baseOffset: -1, logStartOffset: 0 }
            const log = logs.get(partition) ?? []
            logs.set(partition, log)
            const baseOffset = log.length
            const batch = decodeRecordBatch(records)
            if (batch.header.producerId >= 0) {
              const state = sequences.get(partition) ?? { next: 0, offsets: new Map() }
              sequences.set(partition, state)
              const first = state.offsets.get(batch.header.baseSequence)
              if (first !== undefined)
                return { partition, errorCode: 0, baseOffset: first, logStartOffset: 0 }
              if (batch.header.baseSequence !== state.next) {
                const errorCode = ErrorCodes.OUT_OF_ORDER_SEQUENCE.code
                return { partition, errorCode, baseOffset: -1, logStartOffset: 0 }
              }
              state.next += batch.records.length
              state.offsets.set(batch.header.baseSequence, baseOffset)
            }
            for (const record of batch.records) {
              log.push({ key: record.key?.toString() ?? null, value: record.value!, offset: log.length })
            }
            return { partition, errorCode: 0, baseOffset, logStartOffset: 0 }
          }),
        })),
      }
    },
    async send(): Promise<void> {},
  }
  const cluster = clusterWith({
    metadata,
    connection,
    // InitProducerId for the idempotent producer (the default).
    request: async () => ({ errorCode: 0, producerId: 1, producerEpoch: 0 }),
    ...(environment ? { environment } : {}),
  })
  return { cluster, logs, requests, failNext, peak: () => inFlightPeak }
}

const keyOf = (key: Fixture['cases'][number]['key']) =>
  typeof key === 'string' ? key : key.repeat.repeat(key.times)

test('keyed records land on the partition the pinned murmur3 fixture names', async () => {
  for (const count of [1, 3, 6, 16]) {
    const fake = fakeCluster(count)
    const producer = new Producer(fake.cluster, { lingerMs: 0 })
    for (const testCase of fixture.cases) {
      const key = keyOf(testCase.key)
      const { partition } = await producer.send({ topic: 'orders', key, value: 1 })
      const expected = testCase.partitions[String(count)]
      if (expected !== undefined) assert.is(partition, expected, `${key.slice(0, 20)} over ${count}`)
      assert.is(partition, partitionForKey(key, count))
    }
    await producer.close()
  }
})

/** Node's environment, counting the deferred callbacks (the producer's sender passes) not yet run. */
function countingDefers(): { environment: Environment; pending: () => number } {
  let pending = 0
  const timers = nodeEnvironment.timers
  const environment: Environment = {
    ...nodeEnvironment,
    timers: {
      setTimeout: (callback, delayMs) => timers.setTimeout(callback, delayMs),
      setInterval: (callback, intervalMs) => timers.setInterval(callback, intervalMs),
      clear: (timer) => timers.clear(timer),
      defer: (callback) => {
        pending++
        timers.defer(() => {
          pending--
          callback()
        })
      },
    },
  }
  return { environment, pending: () => pending }
}

test('offsets are baseOffset plus index; one batch per partition per request', async () => {
  const defers = countingDefers()
  const fake = fakeCluster(4, defers.environment)
  // A linger long enough that a loaded CI machine still queues all 40 sends before it ends.
  const producer = new Producer(fake.cluster, { lingerMs: 300 })
  // The producer id arrives first (its arrival flushes whatever waits for it): then the 40 below
  // depend on the linger alone.
  await producer.send({ topic: 'orders', key: 'warm-up', value: { index: -1 } })
  // ...and the sender pass its completion scheduled has run.
  await eventually('the sender pass the warm-up completion deferred', () => defers.pending() === 0, {
    intervalMs: 1,
  })
  fake.requests.length = 0
  for (const log of fake.logs.values()) log.length = 0
  const sends = Array.from({ length: 40 }, (_, index) =>
    producer.send({ topic: 'orders', key: `k${index % 8}`, value: { index } }),
  )
  const results = await Promise.all(sends)
  assert.is(
    fake.requests.length,
    1,
    `all lingered into one request: ${JSON.stringify(fake.requests.map((request) => request.topics[0]!.partitions.map((entry) => entry.partition)))}`,
  )
  assert.ok(fake.requests[0]!.topics[0]!.partitions.length <= 4)
  for (const [index, result] of results.entries()) {
    const stored = fake.logs.get(result.partition)![result.offset]!
    assert.equal(codecs.msgpack.decode(stored.value), { index })
    assert.is(stored.key, `k${index % 8}`)
  }
  await producer.close()
})

test('retriable partition errors are retried in order; non-retriable ones reject', async () => {
  // Idempotent: up to 5 batches of the partition in flight, kept in order by the sequence check;
  // plain: one at a time.
  for (const idempotent of [true, false]) {
    const fake = fakeCluster(1)
    const options = { lingerMs: 0, maxBatchRecords: 2, retryBackoffMs: 1, idempotent }
    const producer = new Producer(fake.cluster, options)
    // The first batch goes alone (the leader learns the producerId from it); the failures then
    // hit a pipeline: the batches sent behind a failed one are refused for the gap and go again.
    const results = [await producer.send({ topic: 'orders', value: 0 })]
    fake.failNext.push(ErrorCodes.NOT_LEADER.code, ErrorCodes.CONNECTION_CLOSED.code)
    results.push(
      ...(await Promise.all(
        Array.from({ length: 9 }, (_, index) => producer.send({ topic: 'orders', value: index + 1 })),
      )),
    )
    assert.equal(
      results.map((result) => result.offset),
      Array.from({ length: 10 }, (_, index) => index),
    )
    assert.equal(
      fake.logs.get(0)!.map((entry) => codecs.msgpack.decode(entry.value)),
      Array.from({ length: 10 }, (_, index) => index),
    )
    if (idempotent) assert.ok(fake.peak() > 1, `pipelined: ${fake.peak()} batches in flight at most`)
    else assert.is(fake.peak(), 1, 'one partition: never two batches in flight')
    fake.failNext.push(ErrorCodes.MESSAGE_TOO_LARGE.code)
    try {
      await producer.send({ topic: 'orders', value: 'x' })
      assert.unreachable()
    } catch (error) {
      assert.ok(isWeirError(error, 'MESSAGE_TOO_LARGE'))
    }
    await producer.close()
  }
})

test('INVALID_RECORD rejects the send after one request (no retry); CORRUPT_MESSAGE is retried', async () => {
  const fake = fakeCluster(1)
  const producer = new Producer(fake.cluster, { lingerMs: 0, retries: 5, retryBackoffMs: 1 })
  await producer.send({ topic: 'orders', value: 'warm-up' })
  fake.requests.length = 0
  fake.failNext.push(ErrorCodes.INVALID_RECORD.code)
  try {
    await producer.send({ topic: 'orders', value: 'never valid' })
    assert.unreachable('INVALID_RECORD must reject the send')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_RECORD'), String(error))
    assert.not.ok((error as { retriable: boolean }).retriable)
  }
  assert.is(fake.requests.length, 1, 'sent once: the same bytes would fail the same way')

  fake.requests.length = 0
  fake.failNext.push(ErrorCodes.CORRUPT_MESSAGE.code)
  const result = await producer.send({ topic: 'orders', value: 'damaged on the way' })
  assert.is(fake.requests.length, 2, 'a CRC failure is sent again')
  assert.is(codecs.msgpack.decode(fake.logs.get(0)![result.offset]!.value), 'damaged on the way')
  await producer.close()
})

test('a typed descriptor encodes with its codec', async () => {
  const fake = fakeCluster(2)
  const orders = defineTopic<{ total: number }>({ name: 'orders', codec: codecs.json })
  const producer = new Producer(fake.cluster, { lingerMs: 0 })
  const { partition, offset } = await producer.send({ topic: orders, key: 'a', value: { total: 3 } })
  assert.is(fake.logs.get(partition)![offset]!.value.toString(), '{"total":3}')
  await producer.close()
})

test('buffered bytes never pass maxBufferBytes; sendMany waits for space', async () => {
  const fake = fakeCluster(3)
  const producer = new Producer(fake.cluster, {
    lingerMs: 1,
    maxBufferBytes: 4096,
    maxBatchBytes: 1024,
    maxQueuedSends: 10,
  })
  let peak = 0
  const timer = setInterval(() => (peak = Math.max(peak, producer.bufferedBytesNow)), 0)
  const records = Array.from({ length: 500 }, (_, index) => ({
    topic: 'orders',
    key: `${index}`,
    value: 'x'.repeat(100),
  }))
  const results = await producer.sendMany(records)
  clearInterval(timer)
  assert.is(results.length, 500)
  assert.ok(peak <= 4096, `peak ${peak}`)
  assert.is(producer.bufferedBytesNow, 0)
  await producer.close()
})

test('maxQueuedSends turns runaway un-awaited sends into LIMIT_EXCEEDED', async () => {
  const fake = fakeCluster(1)
  const producer = new Producer(fake.cluster, { maxBufferBytes: 1024, maxQueuedSends: 5 })
  const sends = Array.from({ length: 100 }, () => producer.send({ topic: 'orders', value: 'y'.repeat(200) }))
  const outcomes = await Promise.allSettled(sends)
  const limited = outcomes.filter((outcome) => outcome.status === 'rejected')
  assert.ok(limited.length > 0)
  assert.ok(
    limited.every((outcome) => isWeirError((outcome as PromiseRejectedResult).reason, 'LIMIT_EXCEEDED')),
  )
  await producer.close()
})

test('options are validated with INVALID_CONFIG naming the option', () => {
  const fake = fakeCluster(1)
  for (const options of [
    { lingerMs: -1 },
    { acks: 'some' as 'all' },
    { maxBufferBytes: 1.5 },
    { maxBatchBytes: 1 },
  ]) {
    assert.throws(
      () => new Producer(fake.cluster, options),
      (error: unknown) =>
        isWeirError(error, 'INVALID_CONFIG') && /producer option/.test((error as Error).message),
    )
  }
})

test('send after close rejects with CLIENT_CLOSED; acks none resolves offset -1', async () => {
  const fake = fakeCluster(1)
  const producer = new Producer(fake.cluster, { acks: 'none', lingerMs: 0 })
  assert.equal(await producer.send({ topic: 'orders', value: 1 }), {
    topic: 'orders',
    partition: 0,
    offset: -1,
  })
  await producer.close()
  try {
    await producer.send({ topic: 'orders', value: 1 })
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'CLIENT_CLOSED'))
  }
})

test.run()
