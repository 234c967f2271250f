// Proves admin.fetchTopicOffsetsByTimestamp against a real broker: per partition, the first offset at or after a time, the log end when nothing is that new, and typed errors.
import { Client, isWeirError } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type RunningBroker, removeDataDirectories, startBroker } from './helpers.js'

let running: RunningBroker
let client: Client
const startMs = Date.UTC(2026, 5, 1)

test.before(async () => {
  running = await startBroker()
  client = new Client({ brokers: [running.address], clientId: 'offsets-by-time-test' })
  await client.admin().createTopic({ topic: 'timed', partitions: 2 })
  const producer = client.producer()
  // Partition 0 has records at +0, +10, +20 s; partition 1 one at +5 s.
  for (const [partition, seconds] of [
    [0, 0],
    [0, 10],
    [0, 20],
    [1, 5],
  ] as const)
    await producer.send({ topic: 'timed', value: seconds, partition, timestamp: startMs + seconds * 1000 })
  await producer.close()
})

test.after(async () => {
  await client.close()
  await running.broker.close()
  removeDataDirectories()
})

test('each partition answers the first offset at or after the time, or its log end', async () => {
  const admin = client.admin()
  assert.equal(await admin.fetchTopicOffsetsByTimestamp('timed', startMs + 10_000), [
    { partition: 0, offset: 1 },
    { partition: 1, offset: 1 },
  ])
  assert.equal(await admin.fetchTopicOffsetsByTimestamp('timed', startMs + 1000), [
    { partition: 0, offset: 1 },
    { partition: 1, offset: 0 },
  ])
  assert.equal(await admin.fetchTopicOffsetsByTimestamp('timed', 0), [
    { partition: 0, offset: 0 },
    { partition: 1, offset: 0 },
  ])
})

test('an unknown topic is UNKNOWN_TOPIC; a negative time is INVALID_CONFIG', async () => {
  for (const [topic, time, code] of [
    ['nope', 0, 'UNKNOWN_TOPIC'],
    ['timed', -5, 'INVALID_CONFIG'],
  ] as const) {
    try {
      await client.admin().fetchTopicOffsetsByTimestamp(topic, time)
      assert.unreachable(`${topic} ${time}`)
    } catch (error) {
      assert.ok(isWeirError(error, code), String(error))
    }
  }
})

test.run()
