// Proves a long-polling fetch answers as soon as a produce lands, not at maxWaitMs, and answers empty at maxWaitMs otherwise.
import { performance } from 'node:perf_hooks'
import { Fetch } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import {
  batchOf,
  createTopic,
  fetchOnce,
  produce,
  removeTempDirectories,
  startBroker,
} from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

let broker: Broker
let consumer: WireClient
let producer: WireClient

test.before(async () => {
  broker = await startBroker()
  consumer = await WireClient.connect(broker.address.port)
  producer = await WireClient.connect(broker.address.port)
  await createTopic(producer, 'events', 2)
})

test.after(async () => {
  await Promise.all([consumer.close(), producer.close()])
  await broker.close()
  removeTempDirectories()
})

test('a waiting fetch wakes when a produce lands, well before maxWaitMs', async () => {
  const maxWaitMs = 10_000
  const started = performance.now()
  const fetching = fetchOnce(consumer, 'events', 1, 0, { maxWaitMs, minBytes: 1 })
  // The produce goes out once the fetch is surely waiting: after a round trip on the consumer's
  // connection, which the broker answers in order of arrival for this cheap request.
  await consumer.call(Fetch, { maxWaitMs: 0, minBytes: 0, maxBytes: 1, topics: [] })
  const produced = await produce(producer, 'events', 1, batchOf([{ key: null, value: Buffer.from('wake') }]))
  assert.is(produced.errorCode, 0)
  const result = await fetching
  const elapsedMs = performance.now() - started
  assert.is(result.errorCode, 0)
  assert.ok(result.records.length > 0, 'the fetch carries the new batch')
  assert.is(result.highWatermark, 1)
  assert.ok(elapsedMs < 2_000, `answered after ${elapsedMs.toFixed(0)} ms, maxWaitMs ${maxWaitMs}`)
})

test('a produce to another partition does not satisfy the fetch; maxWaitMs answers empty', async () => {
  const started = performance.now()
  const fetching = fetchOnce(consumer, 'events', 0, 0, { maxWaitMs: 300, minBytes: 1 })
  await produce(producer, 'events', 1, batchOf([{ key: null, value: Buffer.from('elsewhere') }]))
  const result = await fetching
  const elapsedMs = performance.now() - started
  assert.is(result.records.length, 0)
  assert.ok(elapsedMs >= 290, `waited ${elapsedMs.toFixed(0)} ms`)
})

test('minBytes counts over the whole request: small produces accumulate until it is reached', async () => {
  const one = batchOf([{ key: null, value: Buffer.from('x') }])
  const fetching = fetchOnce(consumer, 'events', 0, 0, { maxWaitMs: 10_000, minBytes: one.length * 3 })
  let answered = false
  void fetching.then(() => (answered = true))
  for (let index = 0; index < 2; index++) {
    await produce(producer, 'events', 0, batchOf([{ key: null, value: Buffer.from('x') }]))
  }
  await consumer.call(Fetch, { maxWaitMs: 0, minBytes: 0, maxBytes: 1, topics: [] })
  assert.not.ok(answered, 'two batches are below minBytes')
  await produce(producer, 'events', 0, batchOf([{ key: null, value: Buffer.from('x') }]))
  const result = await fetching
  assert.is(result.records.length, one.length * 3)
})

test('minBytes 0 answers at once', async () => {
  const started = performance.now()
  const result = await fetchOnce(consumer, 'events', 0, 3, { maxWaitMs: 10_000, minBytes: 0 })
  assert.is(result.records.length, 0)
  assert.ok(performance.now() - started < 1_000)
})

test('closing the broker answers waiting fetches instead of holding shutdown', async () => {
  const other = await startBroker()
  const client = await WireClient.connect(other.address.port)
  await createTopic(client, 'quiet', 1)
  const fetching = fetchOnce(client, 'quiet', 0, 0, { maxWaitMs: 20_000, minBytes: 1 })
  await client.call(Fetch, { maxWaitMs: 0, minBytes: 0, maxBytes: 1, topics: [] })
  const started = performance.now()
  await other.close()
  const result = await fetching
  assert.is(result.records.length, 0)
  assert.ok(performance.now() - started < 5_000)
  await client.closed
})

test.run()
