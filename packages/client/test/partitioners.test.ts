// Proves the producer's partitioner choice: 'murmur3' (default) is protocol's key rule and sticky for null keys; 'kafka-murmur2' places keys as Kafka's Java client does; 'round-robin' cycles every record through the partitions per topic whatever its key; a custom function gets (key, partitionCount, topic) and a result that is not an integer in range fails that send with INVALID_CONFIG; an unknown name is refused when the producer is built.
import { isWeirError, type ProduceRequest, type ProduceResponse, partitionForKey } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Producer, type ProducerOptions } from '../src/index.js'
import { choosePartitioner, partitionerNames } from '../src/partitioners.js'
import { clusterWith, singleBrokerTopic } from './support/fake-cluster.js'

test('murmur3 (the default) is protocol murmur3 for keys; null keys are left to the sticky partition', () => {
  for (const partitioner of [choosePartitioner(undefined), choosePartitioner('murmur3')]) {
    for (const key of ['a', 'order-17', 'ü']) {
      assert.is(partitioner.partition('t', Buffer.from(key), 7), partitionForKey(key, 7))
    }
    assert.is(partitioner.partition('t', null, 7), undefined)
  }
})

test('round-robin cycles through the partitions of each topic, keys ignored', () => {
  const partitioner = choosePartitioner('round-robin')
  const seen = Array.from({ length: 7 }, () => partitioner.partition('a', Buffer.from('same'), 3))
  assert.equal(seen, [0, 1, 2, 0, 1, 2, 0])
  // Another topic has its own position.
  assert.is(partitioner.partition('b', null, 2), 0)
  assert.is(partitioner.partition('a', null, 3), 1)
})

test('a custom function gets (key, partitionCount, topic); a result out of range or not an integer is INVALID_CONFIG', () => {
  const calls: unknown[] = []
  const partitioner = choosePartitioner((key, partitionCount, topic) => {
    calls.push([key?.toString() ?? null, partitionCount, topic])
    return partitionCount - 1
  })
  assert.is(partitioner.partition('orders', Buffer.from('k'), 4), 3)
  assert.is(partitioner.partition('orders', null, 2), 1)
  assert.equal(calls, [
    ['k', 4, 'orders'],
    [null, 2, 'orders'],
  ])
  for (const bad of [4, -1, 1.5, Number.NaN]) {
    const rule = choosePartitioner(() => bad)
    try {
      rule.partition('orders', null, 4)
      assert.unreachable(`accepted ${bad}`)
    } catch (error) {
      assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
      assert.match((error as Error).message, /return an integer from 0 to 3/)
    }
  }
})

test('an unknown partitioner name is refused with INVALID_CONFIG listing the names', () => {
  assert.ok(partitionerNames().includes('kafka-murmur2'))
  for (const name of ['murmur2', '', 42]) {
    try {
      choosePartitioner(name as never)
      assert.unreachable(`accepted ${String(name)}`)
    } catch (error) {
      assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
      for (const known of partitionerNames()) assert.match((error as Error).message, known)
    }
  }
})

/** A producer over a fake broker that acknowledges everything: the partitions its records went to. */
function producerWith(options: ProducerOptions) {
  const partitions: number[] = []
  const connection = {
    async request(_api: unknown, request: ProduceRequest): Promise<ProduceResponse> {
      return {
        topics: request.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map(({ partition }) => {
            partitions.push(partition)
            return { partition, errorCode: 0, baseOffset: 0, logStartOffset: 0 }
          }),
        })),
      }
    },
    async send(): Promise<void> {},
  }
  const cluster = clusterWith({
    metadata: singleBrokerTopic('orders', 3),
    connection,
    request: async () => ({ errorCode: 0, producerId: 1, producerEpoch: 0 }),
  })
  return new Producer(cluster, { lingerMs: 0, ...options })
}

test('the producer sends where its partitioner says; a bad custom result fails only that send', async () => {
  const roundRobin = producerWith({ partitioner: 'round-robin' })
  const sent = []
  for (let index = 0; index < 6; index++)
    sent.push((await roundRobin.send({ topic: 'orders', key: 'k', value: index })).partition)
  assert.equal(sent, [0, 1, 2, 0, 1, 2])
  await roundRobin.close()

  let answer = 2
  const custom = producerWith({ partitioner: () => answer })
  assert.is((await custom.send({ topic: 'orders', value: 1 })).partition, 2)
  answer = 3
  const refused = await custom.send({ topic: 'orders', value: 2 }).then(
    () => undefined,
    (error: unknown) => error,
  )
  assert.ok(isWeirError(refused, 'INVALID_CONFIG'), String(refused))
  // An explicit partition does not ask the partitioner.
  assert.is((await custom.send({ topic: 'orders', value: 3, partition: 0 })).partition, 0)
  await custom.close()
})

test("kafka-murmur2 sends keyed records where Kafka's Java client would, keyless ones to one sticky partition", async () => {
  const producer = producerWith({ partitioner: 'kafka-murmur2' })
  // Java's murmur2 of these keys modulo 3 (Kafka's own test vectors: '21' -973932308, '12'
  // 126087238, 'a-little-bit-long-string' -985981536); murmur3 would place them 1, 2, 0.
  for (const [key, expected] of [
    ['21', 0],
    ['12', 1],
    ['a-little-bit-long-string', 2],
  ] as const)
    assert.is((await producer.send({ topic: 'orders', key, value: key })).partition, expected, key)
  const keyless = await Promise.all([1, 2, 3].map((value) => producer.send({ topic: 'orders', value })))
  assert.is(new Set(keyless.map(({ partition }) => partition)).size, 1)
  await producer.close()
})

test.run()
