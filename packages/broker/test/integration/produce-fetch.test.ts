// Proves records produced by key come back in order per partition, with metadata, offsets and per-partition errors typed.
import {
  Acks,
  ApiKeys,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  ListOffsets,
  Metadata,
  Produce,
  partitionForKey,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import {
  batchOf,
  createTopic,
  fetchOnce,
  produce,
  readAll,
  removeTempDirectories,
  startBroker,
} from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

let broker: Broker
let client: WireClient

test.before(async () => {
  broker = await startBroker()
  client = await WireClient.connect(broker.address.port)
})

test.after(async () => {
  await client.close()
  await broker.close()
  removeTempDirectories()
})

test('ApiVersions lists every API with its versions', async () => {
  const response = await client.call(ApiVersions, {})
  assert.is(response.brokerId, 1)
  const keys = response.apis.map((api) => api.apiKey).sort((a, b) => a - b)
  assert.equal(
    keys,
    Object.values(ApiKeys).sort((a, b) => a - b),
  )
})

test('records produced by key land on murmur3(key) % n and come back in order', async () => {
  await createTopic(client, 'orders', 4)
  const customers = ['alice', 'bob', 'carol', 'dave', 'erin']
  const sent = new Map<number, string[]>()
  // Pipelined: every produce is in flight at once on one connection.
  await Promise.all(
    Array.from({ length: 40 }, async (_, round) => {
      const customer = customers[round % customers.length]!
      const partition = partitionForKey(customer, 4)
      const values = [`${customer}-${round}-a`, `${customer}-${round}-b`]
      const list = sent.get(partition) ?? []
      list.push(...values)
      sent.set(partition, list)
      const batch = batchOf(
        values.map((value) => ({ key: Buffer.from(customer), value: Buffer.from(value) })),
      )
      const result = await produce(client, 'orders', partition, batch)
      assert.is(result.errorCode, 0, result.errorMessage)
    }),
  )
  for (const [partition, values] of sent) {
    const records = await readAll(client, 'orders', partition)
    assert.equal(records.map((record) => record.value).sort(), [...values].sort())
    assert.equal(
      records.map((record) => record.offset),
      records.map((_, index) => index),
      'dense offsets from 0',
    )
    for (const record of records) assert.is(partitionForKey(record.key!, 4), partition)
  }
})

test('order within a partition is the order the batches were sent', async () => {
  await createTopic(client, 'ordered', 1)
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, index) =>
      produce(client, 'ordered', 0, batchOf([{ key: null, value: Buffer.from(`m${index}`) }])),
    ),
  )
  assert.equal(
    results.map((result) => result.baseOffset),
    Array.from({ length: 20 }, (_, index) => index),
  )
  const records = await readAll(client, 'ordered', 0)
  assert.equal(
    records.map((record) => record.value),
    Array.from({ length: 20 }, (_, index) => `m${index}`),
  )
})

test('one produce carrying several batches appends them back to back', async () => {
  await createTopic(client, 'multi', 1)
  const bytes = Buffer.concat([
    batchOf([
      { key: null, value: Buffer.from('x0') },
      { key: null, value: Buffer.from('x1') },
    ]),
    batchOf([{ key: null, value: Buffer.from('x2') }]),
  ])
  const result = await produce(client, 'multi', 0, bytes)
  assert.is(result.baseOffset, 0)
  assert.equal(
    (await readAll(client, 'multi', 0)).map((record) => record.value),
    ['x0', 'x1', 'x2'],
  )
})

test('metadata describes brokers, topics, config and partition offsets', async () => {
  const response = await client.call(Metadata, { topics: null })
  assert.equal(response.brokers, [{ id: 1, host: '127.0.0.1', port: broker.address.port }])
  assert.is(response.controllerId, 1)
  const ordered = response.topics.find((topic) => topic.name === 'ordered')!
  assert.is(ordered.errorCode, 0)
  assert.is(ordered.config.fsync, 'always')
  // leaderEpoch: the term broker 1 leads in (its first election).
  assert.equal(ordered.partitions, [
    {
      partition: 0,
      errorCode: 0,
      leader: 1,
      leaderEpoch: 1,
      replicas: [1],
      isr: [1],
      logStartOffset: 0,
      highWatermark: 20,
    },
  ])
  const missing = await client.call(Metadata, { topics: ['nope'] })
  assert.is(missing.topics[0]!.errorCode, 4)
})

test('create topics: config is stored, bad names, duplicates and replicationFactor > 1 fail per topic', async () => {
  const response = await client.call(CreateTopics, {
    topics: [
      {
        name: 'configured',
        partitions: 2,
        replicationFactor: 1,
        config: { retentionMs: 60_000, maxMessageBytes: 2048 },
      },
      { name: 'bad name!', partitions: 1, replicationFactor: 1, config: {} },
      { name: 'orders', partitions: 1, replicationFactor: 1, config: {} },
      { name: 'replicated', partitions: 1, replicationFactor: 3, config: {} },
      { name: 'tiny-segments', partitions: 1, replicationFactor: 1, config: { segmentBytes: 10 } },
    ],
  })
  const codes = response.topics.map((topic) => topic.errorCode)
  assert.equal(codes, [0, 12, 11, 13, 13])
  assert.match(response.topics[3]!.errorMessage!, /runs alone/)
  assert.match(response.topics[4]!.errorMessage!, /segmentBytes/)
  const metadata = await client.call(Metadata, { topics: ['configured'] })
  assert.is(metadata.topics[0]!.config.retentionMs, 60_000)
  assert.is(metadata.topics[0]!.config.maxMessageBytes, 2048)
  assert.is(metadata.topics[0]!.partitions.length, 2)
})

test('produce errors are per partition: unknown topic, unknown partition, too large', async () => {
  const small = batchOf([{ key: null, value: Buffer.from('ok') }])
  const big = batchOf([{ key: null, value: Buffer.alloc(4096, 1) }])
  const response = await client.call(Produce, {
    acks: Acks.leader,
    timeoutMs: 5000,
    topics: [
      { name: 'missing', partitions: [{ partition: 0, records: small }] },
      {
        name: 'configured',
        partitions: [
          { partition: 9, records: small },
          { partition: 0, records: big },
          { partition: 1, records: small },
        ],
      },
    ],
  })
  assert.is(response.topics[0]!.partitions[0]!.errorCode, 4)
  const [unknownPartition, tooLarge, fine] = response.topics[1]!.partitions
  assert.is(unknownPartition!.errorCode, 5)
  assert.is(tooLarge!.errorCode, 7)
  assert.is(tooLarge!.baseOffset, -1)
  assert.is(fine!.errorCode, 0)
  assert.is(fine!.baseOffset, 0)
  assert.equal(await readAll(client, 'configured', 0), [], 'the rejected batch left nothing behind')
})

test('acks 0 sends no response but the records are written', async () => {
  await createTopic(client, 'fire-and-forget', 1)
  const { encodeBody } = await import('@weir/protocol')
  client.sendOneWay(
    ApiKeys.Produce,
    encodeBody({
      acks: Acks.none,
      timeoutMs: 1000,
      topics: [
        {
          name: 'fire-and-forget',
          partitions: [{ partition: 0, records: batchOf([{ key: null, value: Buffer.from('quiet') }]) }],
        },
      ],
    }),
  )
  // The next response on the connection proves the one-way request produced no frame of its own.
  const result = await fetchOnce(client, 'fire-and-forget', 0, 0, { maxWaitMs: 2000, minBytes: 1 })
  assert.is(result.errorCode, 0)
  assert.ok(result.records.length > 0)
})

test('fetch: at the log end is empty, past it or below the start is OFFSET_OUT_OF_RANGE', async () => {
  const atEnd = await fetchOnce(client, 'ordered', 0, 20)
  assert.is(atEnd.errorCode, 0)
  assert.is(atEnd.records.length, 0)
  assert.is(atEnd.highWatermark, 20)
  const past = await fetchOnce(client, 'ordered', 0, 21)
  assert.is(past.errorCode, 3)
  const unknown = await fetchOnce(client, 'nope', 0, 0)
  assert.is(unknown.errorCode, 4)
})

test('fetch honours maxBytes but always returns at least one batch', async () => {
  const one = await fetchOnce(client, 'ordered', 0, 0, { maxBytes: 1 })
  assert.is(one.errorCode, 0)
  const { splitBatches } = await import('@weir/protocol')
  assert.is(splitBatches(one.records).length, 1)
})

test('list offsets: earliest, latest, by timestamp', async () => {
  await createTopic(client, 'timed', 1)
  await produce(client, 'timed', 0, batchOf([{ key: null, value: Buffer.from('old') }], 1_000))
  await produce(client, 'timed', 0, batchOf([{ key: null, value: Buffer.from('new') }], 5_000))
  const response = await client.call(ListOffsets, {
    topics: [
      {
        name: 'timed',
        partitions: [
          { partition: 0, timestamp: -2 },
          { partition: 0, timestamp: -1 },
          { partition: 0, timestamp: 3_000 },
          { partition: 0, timestamp: 9_000 },
          { partition: 7, timestamp: -1 },
        ],
      },
    ],
  })
  const [earliest, latest, byTime, none, unknown] = response.topics[0]!.partitions
  assert.equal([earliest!.offset, latest!.offset], [0, 2])
  assert.equal([byTime!.offset, byTime!.timestamp], [1, 5_000])
  assert.equal([none!.offset, none!.timestamp], [2, -1])
  assert.is(unknown!.errorCode, 5)
})

test('delete topics removes the topic; deleting again is UNKNOWN_TOPIC', async () => {
  const first = await client.call(DeleteTopics, { topics: ['multi'] })
  assert.is(first.topics[0]!.errorCode, 0)
  const again = await client.call(DeleteTopics, { topics: ['multi'] })
  assert.is(again.topics[0]!.errorCode, 4)
  const metadata = await client.call(Metadata, { topics: null })
  assert.not.ok(metadata.topics.some((topic) => topic.name === 'multi'))
})

test.run()
