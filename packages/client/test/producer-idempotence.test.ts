// Proves the idempotent producer stamps producerId and per-partition sequences into each batch once, pipelines a partition's batches only once its leader knows the producerId, resends a retried batch byte for byte, fails OUT_OF_ORDER_SEQUENCE batches with the broker's error and then takes a new producerId, and stays plain with acks 'none' or idempotent: false.
import {
  ErrorCodes,
  isWeirError,
  type ProduceRequest,
  type ProduceResponse,
  readBatchHeader,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Producer } from '../src/index.js'
import { clusterWith, singleBrokerTopic } from './support/fake-cluster.js'

function fakeCluster(partitionCount: number) {
  const sent: Array<{ partition: number; records: Buffer }> = []
  /** Requests already in flight when each request arrived. */
  const concurrent: number[] = []
  let inFlight = 0
  const failNext: number[] = []
  let nextProducerId = 100
  let inits = 0
  const offsets = new Map<number, number>()
  const metadata = singleBrokerTopic('orders', partitionCount)
  const connection = {
    async request(_api: unknown, request: ProduceRequest): Promise<ProduceResponse> {
      concurrent.push(inFlight++)
      await new Promise((resolve) => setTimeout(resolve, 1))
      inFlight--
      const failure = failNext.shift()
      return {
        topics: request.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map(({ partition, records }) => {
            sent.push({ partition, records })
            if (failure !== undefined)
              return { partition, errorCode: failure, baseOffset: -1, logStartOffset: 0 }
            const baseOffset = offsets.get(partition) ?? 0
            offsets.set(partition, baseOffset + readBatchHeader(records).recordCount)
            return { partition, errorCode: 0, baseOffset, logStartOffset: 0 }
          }),
        })),
      }
    },
    async send(_api: unknown, request: ProduceRequest): Promise<void> {
      for (const topic of request.topics) for (const data of topic.partitions) sent.push(data)
    },
  }
  const cluster = clusterWith({
    metadata,
    connection,
    request: async () => {
      inits++
      return { errorCode: 0, producerId: nextProducerId++, producerEpoch: 0 }
    },
  })
  return { cluster, sent, failNext, concurrent, inits: () => inits }
}

const stampOf = (records: Buffer) => {
  const header = readBatchHeader(records)
  return [header.producerId, header.producerEpoch, header.baseSequence, header.recordCount]
}

test('one InitProducerId; sequences count records per partition from 0', async () => {
  const fake = fakeCluster(2)
  const producer = new Producer(fake.cluster, { lingerMs: 0, maxBatchRecords: 3 })
  await Promise.all(
    Array.from({ length: 10 }, (_, index) =>
      producer.send({ topic: 'orders', partition: index % 2, value: index }),
    ),
  )
  await producer.close()
  assert.is(fake.inits(), 1)
  for (const partition of [0, 1]) {
    let expected = 0
    for (const batch of fake.sent.filter((entry) => entry.partition === partition)) {
      const [producerId, epoch, baseSequence, count] = stampOf(batch.records)
      assert.equal([producerId, epoch, baseSequence], [100, 0, expected])
      expected += count!
    }
    assert.is(expected, 5)
  }
})

test("a partition's first batch goes alone; once its leader knows the producerId, up to 5 are in flight", async () => {
  const fake = fakeCluster(1)
  const producer = new Producer(fake.cluster, { lingerMs: 0, maxBatchRecords: 1 })
  await Promise.all(
    Array.from({ length: 12 }, (_, index) => producer.send({ topic: 'orders', value: index })),
  )
  await producer.close()
  assert.is(fake.concurrent[0], 0)
  assert.is(fake.concurrent[1], 0, 'the second batch waited for the answer to the first')
  assert.is(Math.max(...fake.concurrent), 4, 'then five at once')
  const sequences = fake.sent.map((entry) => stampOf(entry.records)[2])
  assert.equal(
    sequences,
    Array.from({ length: 12 }, (_, index) => index),
    'sent in sequence order',
  )
})

test('a retried batch is resent byte for byte with the same sequence', async () => {
  const fake = fakeCluster(1)
  const producer = new Producer(fake.cluster, { lingerMs: 0, retryBackoffMs: 1 })
  fake.failNext.push(ErrorCodes.REQUEST_TIMED_OUT.code)
  await producer.send({ topic: 'orders', value: 'a' })
  await producer.send({ topic: 'orders', value: 'b' })
  await producer.close()
  assert.is(fake.sent.length, 3)
  assert.ok(fake.sent[0]!.records.equals(fake.sent[1]!.records))
  assert.equal(stampOf(fake.sent[2]!.records).slice(0, 3), [100, 0, 1])
})

test('OUT_OF_ORDER_SEQUENCE fails the batch for good, and the next send takes a new producerId', async () => {
  const fake = fakeCluster(1)
  const producer = new Producer(fake.cluster, { lingerMs: 0, retryBackoffMs: 1 })
  await producer.send({ topic: 'orders', value: 'a' })
  fake.failNext.push(ErrorCodes.OUT_OF_ORDER_SEQUENCE.code)
  try {
    await producer.send({ topic: 'orders', value: 'b' })
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'OUT_OF_ORDER_SEQUENCE'), String(error))
    assert.match((error as Error).message, /sequence/)
  }
  await producer.send({ topic: 'orders', value: 'c' })
  await producer.close()
  assert.equal(stampOf(fake.sent[2]!.records).slice(0, 3), [101, 0, 0])
})

test('a batch the broker refused outright gives its sequences to the next batch', async () => {
  const fake = fakeCluster(1)
  const producer = new Producer(fake.cluster, { lingerMs: 0 })
  fake.failNext.push(ErrorCodes.MESSAGE_TOO_LARGE.code)
  await producer.send({ topic: 'orders', value: 'a' }).catch(() => {})
  await producer.send({ topic: 'orders', value: 'b' })
  await producer.close()
  assert.equal(stampOf(fake.sent[1]!.records).slice(0, 3), [100, 0, 0])
})

test("idempotent: false and acks 'none' send plain batches; idempotent with acks 'none' is refused", async () => {
  for (const options of [{ idempotent: false }, { acks: 'none' as const }]) {
    const fake = fakeCluster(1)
    const producer = new Producer(fake.cluster, { lingerMs: 0, ...options })
    await producer.send({ topic: 'orders', value: 'a' })
    await producer.close()
    assert.is(fake.inits(), 0)
    assert.equal(stampOf(fake.sent[0]!.records).slice(0, 3), [-1, -1, -1])
  }
  try {
    new Producer(fakeCluster(1).cluster, { acks: 'none', idempotent: true })
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_CONFIG'))
  }
})

test.run()
