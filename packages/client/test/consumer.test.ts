// Proves the consumer reads every partition from its start offsets, skips records before the requested offset, honours seek/pause/resume, resets on OFFSET_OUT_OF_RANGE, never fetches past its prefetch bound, and decodes values only when read, against an in-memory fake broker.
import {
  type ApiDefinition,
  ErrorCodes,
  encodeRecordBatch,
  type FetchRequest,
  type FetchResponse,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
  patchBatch,
} from '@weir/protocol'
import { eventually, withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Codec, Consumer, codecs, defineTopic, type Message } from '../src/index.js'
import { clusterWith, singleBrokerTopic } from './support/fake-cluster.js'

interface FakeLog {
  batches: Buffer[]
  end: number
  start: number
}

/** `longPollMsMax` caps how long an empty fetch waits (the real broker waits the full maxWaitMs). */
function fakeCluster(partitionCount: number, longPollMsMax = 20) {
  const logs = Array.from({ length: partitionCount }, (): FakeLog => ({ batches: [], end: 0, start: 0 }))
  const fetches: FetchRequest[] = []
  const metadata = singleBrokerTopic('t', partitionCount)
  function append(partition: number, values: string[], key: string | null = null): void {
    const log = logs[partition]!
    const batch = encodeRecordBatch(
      values.map((value) => ({
        key: key === null ? null : Buffer.from(key),
        value: codecs.msgpack.encode(value),
      })),
      { timestamp: 1000 },
    )
    patchBatch(batch, 0, log.end, 0)
    log.batches.push(batch)
    log.end += values.length
  }
  function fetchPartition(partition: number, fetchOffset: number, maxBytes: number) {
    const log = logs[partition]!
    if (fetchOffset < log.start || fetchOffset > log.end) {
      return {
        partition,
        errorCode: ErrorCodes.OFFSET_OUT_OF_RANGE.code,
        highWatermark: log.end,
        logStartOffset: log.start,
        records: Buffer.alloc(0),
      }
    }
    const chosen: Buffer[] = []
    let bytes = 0
    for (const batch of log.batches) {
      const base = batch.readUInt32BE(4)
      const last = base + batch.readUInt32BE(23)
      if (last < fetchOffset || base < log.start) continue
      if (chosen.length > 0 && bytes + batch.length > maxBytes) break
      chosen.push(batch)
      bytes += batch.length
    }
    return {
      partition,
      errorCode: 0,
      highWatermark: log.end,
      logStartOffset: log.start,
      records: Buffer.concat(chosen),
    }
  }
  const connection = {
    async request(api: ApiDefinition<unknown, unknown>, request: unknown): Promise<unknown> {
      if (api.name === 'ListOffsets') {
        const body = request as ListOffsetsRequest
        return {
          topics: body.topics.map((topic) => ({
            name: topic.name,
            partitions: topic.partitions.map(({ partition, timestamp }) => ({
              partition,
              errorCode: 0,
              offset: timestamp === -2 ? logs[partition]!.start : logs[partition]!.end,
              timestamp: -1,
            })),
          })),
        } satisfies ListOffsetsResponse
      }
      const body = request as FetchRequest
      fetches.push(body)
      const answer = (): FetchResponse => ({
        topics: body.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map((p) => fetchPartition(p.partition, p.fetchOffset, p.maxBytes)),
        })),
      })
      const first = answer()
      const empty = first.topics.every((topic) =>
        topic.partitions.every((p) => p.records.length === 0 && p.errorCode === 0),
      )
      if (!empty) return first
      // unref: a long poll the consumer abandoned must not keep the test process alive.
      await new Promise((resolve) => setTimeout(resolve, Math.min(body.maxWaitMs, longPollMsMax)).unref())
      return answer()
    },
  }
  const cluster = clusterWith({ metadata, connection })
  return { cluster, logs, append, fetches }
}

/** Takes `count` messages (the consumer stays open); fails naming how many came if it cannot. */
async function take<T>(consumer: Consumer<T>, count: number, timeoutMs = 3000): Promise<Message<T>[]> {
  const taken: Message<T>[] = []
  const reading = (async () => {
    for await (const message of consumer) {
      taken.push(message)
      if (taken.length === count) return
    }
  })()
  try {
    await withTimeout(reading, timeoutMs, () => `${count} messages (took ${taken.length})`)
  } catch (error) {
    await consumer.close()
    throw error
  }
  if (taken.length < count) throw new Error(`the consumer ended after ${taken.length} of ${count} messages`)
  return taken
}

test('fromBeginning reads every partition in order with keys, values and offsets', async () => {
  const fake = fakeCluster(3)
  for (let partition = 0; partition < 3; partition++) {
    fake.append(partition, ['a', 'b'], `k${partition}`)
    fake.append(partition, ['c'], `k${partition}`)
  }
  const consumer = new Consumer(fake.cluster, { topics: ['t'], fromBeginning: true, maxWaitMs: 10 })
  const messages = await take(consumer, 9)
  for (let partition = 0; partition < 3; partition++) {
    const mine = messages.filter((message) => message.partition === partition)
    assert.equal(
      mine.map((message) => [message.offset, message.value, message.key]),
      [
        [0, 'a', `k${partition}`],
        [1, 'b', `k${partition}`],
        [2, 'c', `k${partition}`],
      ],
    )
    assert.is(mine[0]!.timestamp, 1000)
  }
  assert.is(consumer.position({ topic: 't', partition: 1 }), 3)
  await consumer.close()
})

test('values are decoded on first read only; a value that does not decode is CORRUPT_MESSAGE when read', async () => {
  const fake = fakeCluster(1)
  fake.append(0, ['a', 'b'], 'k')
  let decodes = 0
  const counting: Codec<unknown> = {
    name: 'counting',
    encode: codecs.msgpack.encode,
    decode: (bytes) => {
      decodes++
      if (decodes === 2) throw new Error('not the format this codec reads')
      return codecs.msgpack.decode(bytes)
    },
  }
  const topic = defineTopic({ name: 't', codec: counting })
  const consumer = new Consumer(fake.cluster, { topics: [topic], fromBeginning: true, maxWaitMs: 10 })
  const [first, second] = await take(consumer, 2)
  assert.is(decodes, 0, 'taking messages decodes no value')
  assert.equal([first!.offset, first!.key, second!.offset, second!.key], [0, 'k', 1, 'k'])
  assert.is(first!.value, 'a')
  assert.is(first!.value, 'a')
  assert.is(decodes, 1, 'a value is decoded once and kept')
  try {
    void second!.value
    assert.unreachable('an undecodable value was returned')
  } catch (error) {
    assert.is((error as { code?: string }).code, 'CORRUPT_MESSAGE')
    assert.match((error as Error).message, /t\/0 offset 1/)
  }
  assert.equal(JSON.parse(JSON.stringify(first)).value, 'a')
  await consumer.close()
})

test('without fromBeginning only records appended after start arrive', async () => {
  const fake = fakeCluster(1)
  fake.append(0, ['old'])
  const consumer = new Consumer(fake.cluster, { topics: ['t'], maxWaitMs: 10 })
  await consumer.ready()
  fake.append(0, ['new'])
  const [message] = await take(consumer, 1)
  assert.is(message?.value, 'new')
  assert.is(message?.offset, 1)
  await consumer.close()
})

test('seek into the middle of a batch skips the records before it', async () => {
  const fake = fakeCluster(1)
  fake.append(0, ['a', 'b', 'c', 'd'])
  const consumer = new Consumer(fake.cluster, { topics: ['t'], fromBeginning: true, maxWaitMs: 10 })
  consumer.seek({ topic: 't', partition: 0, offset: 2 })
  assert.equal(
    (await take(consumer, 2)).map((message) => message.value),
    ['c', 'd'],
  )
  consumer.seek({ topic: 't', partition: 0, offset: 1 })
  assert.equal(
    (await take(consumer, 3)).map((message) => message.offset),
    [1, 2, 3],
  )
  await consumer.close()
})

test('pause stops a partition and drops its buffer; resume continues where the loop stopped', async () => {
  const fake = fakeCluster(2)
  fake.append(0, ['p0-a', 'p0-b'])
  fake.append(1, ['p1-a', 'p1-b'])
  const consumer = new Consumer(fake.cluster, { topics: ['t'], fromBeginning: true, maxWaitMs: 10 })
  await consumer.ready()
  consumer.pause([{ topic: 't', partition: 1 }])
  assert.equal(consumer.paused(), [{ topic: 't', partition: 1 }])
  const first = await take(consumer, 2)
  assert.ok(first.every((message) => message.partition === 0))
  fake.append(1, ['p1-c'])
  consumer.resume([{ topic: 't', partition: 1 }])
  const second = await take(consumer, 3)
  assert.equal(
    second.map((message) => message.value),
    ['p1-a', 'p1-b', 'p1-c'],
  )
  await consumer.close()
})

test("pause and resume also take KafkaJS's { topic, partitions? } (all of the topic's without partitions)", async () => {
  const fake = fakeCluster(3)
  const consumer = new Consumer(fake.cluster, { topics: ['t'], fromBeginning: true, maxWaitMs: 10 })
  await consumer.ready()
  consumer.pause([{ topic: 't', partitions: [0, 2] }])
  assert.equal(consumer.paused(), [
    { topic: 't', partition: 0 },
    { topic: 't', partition: 2 },
  ])
  consumer.resume([{ topic: 't', partitions: [2] }])
  assert.equal(consumer.paused(), [{ topic: 't', partition: 0 }])
  consumer.pause([{ topic: 't' }])
  assert.is(consumer.paused().length, 3)
  consumer.resume([{ topic: 't' }])
  assert.equal(consumer.paused(), [])
  await consumer.close()
})

test('OFFSET_OUT_OF_RANGE resets to the log start with fromBeginning', async () => {
  const fake = fakeCluster(1)
  fake.append(0, ['a', 'b'])
  fake.append(0, ['c'])
  const consumer = new Consumer(fake.cluster, { topics: ['t'], fromBeginning: true, maxWaitMs: 10 })
  await consumer.ready()
  fake.logs[0]!.start = 2 // retention removed the first batch
  consumer.seek({ topic: 't', partition: 0, offset: 0 })
  const [message] = await take(consumer, 1)
  assert.is(message?.offset, 2)
  await consumer.close()
})

test('a slow loop never lets the prefetch buffer grow past its bound plus one fetch', async () => {
  const fake = fakeCluster(4)
  for (let partition = 0; partition < 4; partition++) {
    for (let batch = 0; batch < 50; batch++)
      fake.append(
        partition,
        Array.from({ length: 10 }, () => 'x'.repeat(100)),
      )
  }
  const maxBytes = 8192
  const consumer = new Consumer(fake.cluster, {
    topics: ['t'],
    fromBeginning: true,
    maxPrefetchBytes: 4096,
    maxBytes,
    maxPartitionBytes: 2048,
    maxWaitMs: 10,
  })
  let peak = 0
  let seen = 0
  for await (const _message of consumer) {
    peak = Math.max(peak, consumer.bufferedBytes)
    if (++seen % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 2))
    if (seen === 600) break
  }
  assert.ok(peak <= 4096 + maxBytes + 4096, `peak ${peak}`)
  assert.ok(peak > 0)
  const fetchedBatches = fake.fetches.length
  assert.ok(fetchedBatches < 200, `${fetchedBatches} fetches for 600 records`)
  await consumer.close()
})

test('close ends a waiting iteration', async () => {
  const fake = fakeCluster(1)
  const consumer = new Consumer(fake.cluster, { topics: ['t'], maxWaitMs: 10 })
  const messages: Message<unknown>[] = []
  const iterating = (async () => {
    for await (const message of consumer) messages.push(message)
  })()
  // The iteration waits on an empty log: fetches go out and nothing comes back.
  await eventually('the consumer to poll the empty log', () => fake.fetches.length >= 2)
  await consumer.close()
  await withTimeout(iterating, 1000, 'the for-await loop to end after close()')
  assert.is(messages.length, 0)
})

test('close does not wait for a long poll in flight', async () => {
  const fake = fakeCluster(1, 60_000)
  const consumer = new Consumer(fake.cluster, { topics: ['t'], maxWaitMs: 60_000 })
  await consumer.ready()
  await new Promise((resolve) => setImmediate(resolve))
  assert.is(fake.fetches.length, 1, 'a long poll is in flight')
  const started = performance.now()
  await consumer.close()
  const closeMs = performance.now() - started
  assert.ok(closeMs < 1000, `close took ${closeMs} ms`)
})

test.run()
