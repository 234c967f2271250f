// Proves the group consumer's KafkaJS-style positioning against a real broker: pause stops a partition's delivery at once (records already fetched are not delivered) while it stays assigned, resume continues from where the application was; seek moves an owned partition and a seek before the first assignment applies when it comes; seekToTimestamp (group and plain consumer) and admin fetchTopicOffsetsByTimestamp land on the first record at or after the time; commitOffsets stores exactly the positions given; bad input is a typed error.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '@weir/broker'
import { Client, type GroupConsumer, isWeirError, type Message } from '@weir/client'
import { eventually, withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const groupTiming = {
  sessionTimeoutMs: 1000,
  heartbeatIntervalMs: 100,
  rebalanceTimeoutMs: 3000,
  maxWaitMs: 100,
}
const waitMs = 20_000

let broker: Broker
let dataDir: string
let client: Client

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'weir-positioning-'))
  broker = await Broker.start({
    dataDir,
    listen: '127.0.0.1:0',
    logLevel: 'silent',
    groups: { offsetsPartitions: 2, limits: { minSessionTimeoutMs: 10, initialRebalanceDelayMs: 50 } },
  })
  await broker.groups.loaded
  client = new Client({
    brokers: [`${broker.address.host}:${broker.address.port}`],
    clientId: 'positioning-test',
  })
})

test.after(async () => {
  await client.close()
  await broker.close()
  rmSync(dataDir, { recursive: true, force: true })
})

/** Values `prefix-0` .. `prefix-(count-1)` to `partition`, as one batch (so one fetch brings them all). */
async function produce(topic: string, partition: number, prefix: string, count: number): Promise<void> {
  const producer = client.producer({ lingerMs: 20 })
  await producer.sendBatch({
    topic,
    messages: Array.from({ length: count }, (_, index) => ({ value: `${prefix}-${index}`, partition })),
  })
  await producer.close()
}

function member(groupId: string, topic: string): GroupConsumer<unknown> {
  return client.consumer({
    groupId,
    topics: [topic],
    autoOffsetReset: 'earliest',
    autoCommit: false,
    ...groupTiming,
  })
}

async function nextOf(consumer: GroupConsumer<unknown>): Promise<Message<unknown>> {
  const result = await withTimeout(consumer.next(), waitMs, 'the next message')
  assert.not.ok(result.done, 'the consumer ended')
  return result.value as Message<unknown>
}

const where = (message: Message<unknown>) => `${message.partition}/${message.offset}`

test('pause: fetched records of a paused partition are not delivered, it stays assigned; resume continues from the position', async () => {
  const topic = 'paused'
  await client.admin().createTopic({ topic, partitions: 2 })
  await produce(topic, 0, 'zero', 10)
  const consumer = member('pause-group', topic)
  await withTimeout(consumer.ready(), waitMs, 'the first assignment')
  // One fetch brought partition 0's whole batch: the message after this one is already buffered.
  const first = await nextOf(consumer)
  assert.is(where(first), '0/0')
  consumer.pause([{ topic, partitions: [0] }])
  assert.equal(consumer.paused(), [{ topic, partitions: [0] }])
  await produce(topic, 1, 'one', 5)
  for (let index = 0; index < 5; index++) {
    const message = await nextOf(consumer)
    assert.is(where(message), `1/${index}`, 'a paused partition delivered a record')
  }
  assert.equal(
    consumer
      .assignment()
      .map((entry) => entry.partition)
      .sort(),
    [0, 1],
  )
  consumer.resume([{ topic }])
  assert.equal(consumer.paused(), [])
  for (let index = 1; index < 10; index++) assert.is(where(await nextOf(consumer)), `0/${index}`)
  await consumer.close()
})

test('seek moves an owned partition; a seek before the first assignment applies when it comes; bad targets are typed errors', async () => {
  const topic = 'sought'
  await client.admin().createTopic({ topic, partitions: 1 })
  await produce(topic, 0, 'v', 10)
  const early = member('seek-early-group', topic)
  early.seek({ topic, partition: 0, offset: 6 })
  assert.is(where(await nextOf(early)), '0/6')
  await early.close()

  const consumer = member('seek-group', topic)
  assert.is(where(await nextOf(consumer)), '0/0')
  assert.is(where(await nextOf(consumer)), '0/1')
  consumer.seek({ topic, partition: 0, offset: 8 })
  assert.is(where(await nextOf(consumer)), '0/8')
  consumer.seek({ topic, partition: 0, offset: 3 })
  assert.is(where(await nextOf(consumer)), '0/3')
  assert.is(where(await nextOf(consumer)), '0/4')
  for (const [target, code] of [
    [{ topic: 'elsewhere', partition: 0, offset: 1 }, 'UNKNOWN_TOPIC'],
    [{ topic, partition: 0, offset: -1 }, 'INVALID_CONFIG'],
    [{ topic, partition: 0, offset: '5' }, 'INVALID_CONFIG'],
  ] as const) {
    try {
      consumer.seek(target as never)
      assert.unreachable(JSON.stringify(target))
    } catch (error) {
      assert.ok(isWeirError(error, code), String(error))
    }
  }
  await consumer.close()
})

test('seekToTimestamp and fetchTopicOffsetsByTimestamp land on the first record at or after the time, for a group member and a plain consumer', async () => {
  const topic = 'timed'
  await client.admin().createTopic({ topic, partitions: 1 })
  const baseMs = Date.parse('2026-01-01T00:00:00Z')
  const producer = client.producer({ lingerMs: 0 })
  // One batch each, so the broker's per-batch time index points at each record exactly.
  for (let index = 0; index < 10; index++)
    await producer.send({ topic, partition: 0, value: `t-${index}`, timestamp: baseMs + index * 1000 })
  await producer.close()

  assert.equal(await client.admin().fetchTopicOffsetsByTimestamp(topic, baseMs + 5500), [
    { partition: 0, offset: 6 },
  ])
  const consumer = member('time-group', topic)
  assert.is(where(await nextOf(consumer)), '0/0')
  const moved = await consumer.seekToTimestamp({ topic, timestamp: baseMs + 5500 })
  assert.equal(moved, [{ topic, partition: 0, offset: 6 }])
  const message = await nextOf(consumer)
  assert.is(where(message), '0/6')
  assert.is(message.timestamp, baseMs + 6000)
  await consumer.close()

  const plain = client.consumer({ topics: [topic], fromBeginning: true, maxWaitMs: 100 })
  await plain.ready()
  assert.equal(await plain.seekToTimestamp({ topic, timestamp: baseMs + 2000 }), [
    { topic, partition: 0, offset: 2 },
  ])
  const result = await withTimeout(plain.next(), waitMs, 'a message after the seek')
  assert.is(result.value?.offset, 2)
  // Newer than every record: the log end.
  assert.equal(await plain.seekToTimestamp({ topic, timestamp: baseMs + 60_000 }), [
    { topic, partition: 0, offset: 10 },
  ])
  try {
    await plain.seekToTimestamp({ topic, timestamp: -5 })
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
  }
  await plain.close()
})

test('commitOffsets stores exactly the positions given (the next offset to read)', async () => {
  const topic = 'committed'
  await client.admin().createTopic({ topic, partitions: 2 })
  await produce(topic, 0, 'c', 5)
  const consumer = member('commit-group', topic)
  assert.is(where(await nextOf(consumer)), '0/0')
  await consumer.commitOffsets([
    { topic, partition: 0, offset: 4 },
    { topic, partition: 1, offset: 0 },
  ])
  const stored = await client.brokerOffsetStore().fetch('commit-group', [{ topic, partitions: [0, 1] }])
  assert.is(stored.get(topic)?.get(0), 4)
  assert.is(stored.get(topic)?.get(1), 0)
  try {
    await consumer.commitOffsets([{ topic, partition: 0, offset: 1.5 }])
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
  }
  await consumer.close()
})

test('run(): a handler that pauses its partition gets nothing more until resume, then every message once, in order', async () => {
  const topic = 'paused-in-run'
  await client.admin().createTopic({ topic, partitions: 1 })
  await produce(topic, 0, 'r', 10)
  const consumer = member('pause-run-group', topic)
  const delivered: number[] = []
  let deliveredAtResume: number[] | undefined
  const running = consumer.run({
    eachMessage: async ({ message }) => {
      delivered.push(message.offset)
      // KafkaJS's pattern: pause the partition from its own handler (e.g. a downstream is busy).
      if (message.offset === 2 && deliveredAtResume === undefined) consumer.pause([{ topic }])
    },
  })
  await eventually('the pause', () => consumer.paused().length === 1, { timeoutMs: waitMs })
  // Messages 3.. were pulled ahead for the handler before the pause: they must not be handed over.
  await eventually('the handler of message 2 to finish', () => delivered.length >= 3, { timeoutMs: waitMs })
  deliveredAtResume = [...delivered]
  consumer.resume([{ topic }])
  await eventually('all ten messages', () => delivered.length >= 10, { timeoutMs: waitMs })
  await consumer.close()
  await running
  assert.equal(deliveredAtResume, [0, 1, 2])
  assert.equal(delivered, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
})

test.run()
