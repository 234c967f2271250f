// Proves records produced by key through a real broker come back in order per partition with their keys, values, headers, timestamps and offsets, typed end to end, with seek/pause/resume and a bounded prefetch buffer.

import { Client, codecs, defineTopic } from '@weir/client'
import { partitionForKey } from '@weir/protocol'
import { withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type RunningBroker, removeDataDirectories, startBroker, take } from './helpers.js'

let running: RunningBroker
let client: Client

test.before(async () => {
  running = await startBroker()
  client = new Client({ brokers: [running.address], clientId: 'produce-consume-test' })
})

test.after(async () => {
  await client.close()
  await running.broker.close()
  removeDataDirectories()
})

test('sendBatch resolves with offset ranges that cover every record exactly once', async () => {
  await client.admin().createTopic({ topic: 'batched', partitions: 4 })
  const topic = defineTopic<string>({ name: 'batched', codec: codecs.string })
  const producer = client.producer({ acks: 'all', lingerMs: 1, maxBatchBytes: 4096 })
  const messages = Array.from({ length: 5000 }, (_, index) => ({
    key: `k-${index % 13}`,
    value: `v-${index}`,
  }))
  const ranges = await producer.sendBatch({ topic, messages })
  await producer.close()
  assert.is(
    ranges.reduce((total, range) => total + range.count, 0),
    5000,
  )
  const expected = new Map<string, number>()
  for (const range of ranges) {
    assert.is(range.topic, 'batched')
    for (let offset = range.baseOffset; offset < range.baseOffset + range.count; offset++) {
      const key = `${range.partition}/${offset}`
      assert.not.ok(expected.has(key), `offset ${key} reported twice`)
      expected.set(key, 1)
    }
  }
  const consumer = client.consumer({ topics: [topic], fromBeginning: true })
  const consumed = await take(consumer, 5000)
  await consumer.close()
  for (const message of consumed) {
    assert.ok(
      expected.delete(`${message.partition}/${message.offset}`),
      `${message.partition}/${message.offset} not in a range`,
    )
    assert.is(message.partition, partitionForKey(message.key!, 4))
  }
  assert.is(expected.size, 0)
  const perKey = new Map<string, number>()
  for (const message of consumed) {
    const index = Number(message.value.slice(2))
    assert.ok((perKey.get(message.key!) ?? -1) < index, 'records of one key stay in send order')
    perKey.set(message.key!, index)
  }
})

test('produce by key, consume back in order per partition with every field', async () => {
  await client.admin().createTopic({ topic: 'orders', partitions: 6 })
  const producer = client.producer({ acks: 'all', lingerMs: 2 })
  const before = Date.now()
  const sent = await Promise.all(
    Array.from({ length: 300 }, (_, index) =>
      producer.send({
        topic: 'orders',
        key: `user-${index % 17}`,
        value: { index, total: index * 2 },
        headers: { source: 'web', raw: Buffer.from([index % 256]) },
      }),
    ),
  )
  for (const [index, result] of sent.entries()) {
    assert.is(result.topic, 'orders')
    assert.is(result.partition, partitionForKey(`user-${index % 17}`, 6))
  }
  const consumer = client.consumer({ topics: ['orders'], fromBeginning: true })
  const messages = await take(consumer, 300)
  await consumer.close()
  const byPartition = new Map<number, number[]>()
  for (const message of messages) {
    const value = message.value as { index: number; total: number }
    const origin = sent[value.index]!
    assert.is(message.partition, origin.partition)
    assert.is(message.offset, origin.offset)
    assert.is(message.key, `user-${value.index % 17}`)
    assert.is(value.total, value.index * 2)
    assert.is(message.headers.source, 'web')
    assert.equal(
      message.rawHeaders.find((header) => header.key === 'raw')?.value,
      Buffer.from([value.index % 256]),
    )
    assert.ok(message.timestamp >= before && message.timestamp <= Date.now())
    const offsets = byPartition.get(message.partition) ?? []
    offsets.push(message.offset)
    byPartition.set(message.partition, offsets)
  }
  for (const offsets of byPartition.values()) {
    assert.equal(
      offsets,
      [...offsets].sort((a, b) => a - b),
      'offsets ascend per partition',
    )
    assert.is(offsets[0], 0)
    assert.is(offsets[offsets.length - 1], offsets.length - 1)
  }
  const description = await client.admin().describeTopic('orders')
  assert.is(
    description.partitions.reduce((sum, partition) => sum + partition.highWatermark, 0),
    300,
  )
})

test('a typed topic descriptor round trips with its codec', async () => {
  interface Order {
    id: string
    total: number
  }
  const typed = defineTopic<Order>({ name: 'typed-orders', codec: codecs.json })
  await client.admin().createTopic({ topic: typed.name, partitions: 2 })
  const producer = client.producer({ lingerMs: 0 })
  await producer.send({ topic: typed, key: 'a', value: { id: 'a', total: 1 } })
  await producer.send({ topic: typed, key: 'b', value: { id: 'b', total: 2 } })
  const consumer = client.consumer({ topics: [typed], fromBeginning: true })
  const messages = await take(consumer, 2)
  await consumer.close()
  const totals: number[] = messages.map((message) => message.value.total).sort()
  assert.equal(totals, [1, 2])
  const text = client.consumer({
    topics: [defineTopic({ name: typed.name, codec: codecs.string })],
    fromBeginning: true,
  })
  const [raw] = await take(text, 1)
  await text.close()
  assert.ok(raw?.value.startsWith('{"id":'))
})

test('keyless records, acks leader and none, and the string and raw codecs', async () => {
  await client.admin().createTopic({ topic: 'logs', partitions: 3 })
  const lines = defineTopic<string>({ name: 'logs', codec: codecs.string })
  const leader = client.producer({ acks: 'leader', lingerMs: 0 })
  const acked = await leader.send({ topic: lines, value: 'first' })
  assert.ok(acked.offset >= 0)
  const none = client.producer({ acks: 'none', lingerMs: 0 })
  const unacked = await none.send({ topic: lines, value: 'second', partition: acked.partition })
  assert.is(unacked.offset, -1)
  const consumer = client.consumer({ topics: [lines], fromBeginning: true })
  const values = (await take(consumer, 2)).map((message) => message.value)
  await consumer.close()
  assert.equal(values, ['first', 'second'])
})

test('seek, pause and resume through a real broker', async () => {
  await client.admin().createTopic({ topic: 'events', partitions: 2 })
  const producer = client.producer({ lingerMs: 0 })
  for (let partition = 0; partition < 2; partition++) {
    await producer.sendMany(
      Array.from({ length: 10 }, (_, index) => ({ topic: 'events', partition, value: index })),
    )
  }
  const consumer = client.consumer({ topics: ['events'], fromBeginning: true, maxWaitMs: 50 })
  await consumer.ready()
  consumer.pause([{ topic: 'events', partition: 1 }])
  consumer.seek({ topic: 'events', partition: 0, offset: 7 })
  const first = await take(consumer, 3)
  assert.equal(
    first.map((message) => [message.partition, message.offset]),
    [
      [0, 7],
      [0, 8],
      [0, 9],
    ],
  )
  consumer.resume([{ topic: 'events', partition: 1 }])
  consumer.seek({ topic: 'events', partition: 1, offset: 5 })
  const second = await take(consumer, 5)
  assert.equal(
    second.map((message) => message.value),
    [5, 6, 7, 8, 9],
  )
  await producer.send({ topic: 'events', partition: 0, value: 'late' })
  const [late] = await take(consumer, 1)
  assert.equal([late?.partition, late?.offset, late?.value], [0, 10, 'late'])
  await consumer.close()
})

test('a consumer with a slow loop keeps its buffer bounded', async () => {
  await client.admin().createTopic({ topic: 'bulk', partitions: 4 })
  const producer = client.producer({ lingerMs: 5, maxBatchBytes: 16_384 })
  await producer.sendMany(
    Array.from({ length: 4000 }, (_, index) => ({ topic: 'bulk', key: `${index}`, value: 'v'.repeat(200) })),
  )
  const maxPrefetchBytes = 32_768
  const maxBytes = 65_536
  const consumer = client.consumer({
    topics: ['bulk'],
    fromBeginning: true,
    maxPrefetchBytes,
    maxBytes,
    maxPartitionBytes: 16_384,
  })
  let peak = 0
  let count = 0
  const reading = async () => {
    for await (const _message of consumer) {
      peak = Math.max(peak, consumer.bufferedBytes)
      if (++count % 200 === 0) await new Promise((resolve) => setTimeout(resolve, 5)) // a slow reader
      if (count === 4000) break
    }
  }
  await withTimeout(reading(), 20_000, () => `4000 messages (read ${count})`)
  await consumer.close()
  assert.is(count, 4000)
  assert.ok(peak <= maxPrefetchBytes + maxBytes + 16_384, `peak ${peak}`)
})

test.run()
