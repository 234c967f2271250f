// Kafka topics are Weir topics: records kcat produces on the Kafka listener reach Weir's client
// with the same keys, values and headers, and records Weir's client produces reach KafkaJS the same.
import * as assert from 'node:assert/strict'
import { codecs, defineTopic, type Message } from '@weir/client'
import { eventually, withTimeout } from '@weir/protocol/testing'
import type { KafkaMessage } from 'kafkajs'
import { test } from 'uvu'
import {
  type KafkaBroker,
  kafkaJs,
  kcat,
  kcatAvailable,
  kcatPath,
  startKafkaBroker,
  weirClient,
} from './kafka-support.js'

let broker: KafkaBroker

test.before(async () => {
  try {
    broker = await startKafkaBroker()
  } catch (error) {
    // uvu swallows an error thrown by a `before` hook: say why here.
    console.error('cross-client.test.ts: starting the broker failed:', error)
    throw error
  }
})

test.after(async () => {
  await broker?.close()
})

// kcat compresses its batches with each Kafka codec (-z); the broker stores them as sent and
// Weir's client inflates them.
const kcatCompressions = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const

async function kcatToWeir(compression: (typeof kcatCompressions)[number]): Promise<void> {
  const topic = defineTopic<string>({ name: `from-kcat-${compression}`, codec: codecs.string })
  const count = 200
  const client = weirClient([broker.bootstrap])
  try {
    await client.admin().createTopic({ topic: topic.name, partitions: 2 })
    const lines = Array.from({ length: count }, (_, index) => `k${index % 9}|value ${index} ✓\n`).join('')
    await kcat(
      broker.kafka,
      ['-P', '-t', topic.name, '-z', compression, '-K|', '-H', 'trace=abc-123', '-H', 'source=kcat ✓'],
      lines,
    )

    const consumer = client.consumer({ topics: [topic], fromBeginning: true })
    const messages: Message<string>[] = []
    try {
      await withTimeout(
        (async () => {
          for await (const message of consumer) {
            messages.push(message)
            if (messages.length === count) return
          }
        })(),
        60_000,
        () => `${count} records (read ${messages.length})`,
      )
    } finally {
      await consumer.close()
    }
    const byIndex = new Map(messages.map((message) => [Number(message.value.split(' ')[1]), message]))
    assert.equal(byIndex.size, count, 'every record once')
    for (let index = 0; index < count; index++) {
      const message = byIndex.get(index)
      assert.ok(message, `record ${index}`)
      assert.equal(message.value, `value ${index} ✓`)
      assert.equal(message.key, `k${index % 9}`)
      assert.deepEqual(message.headers, { trace: 'abc-123', source: 'kcat ✓' })
    }
  } finally {
    await client.close()
  }
}

for (const compression of kcatCompressions) {
  const title = `records kcat produces (-z ${compression}) are read by Weir's client with identical keys, values and headers`
  if (kcatAvailable) test(title, () => kcatToWeir(compression))
  else test.skip(title, () => {})
}
if (!kcatAvailable) console.log(`skipped: no kcat at ${kcatPath} (apt-get install kcat, or set WEIR_KCAT)`)

test("records Weir's client produces are read by KafkaJS with identical keys, values and headers", async () => {
  const topic = defineTopic<string>({ name: 'from-weir', codec: codecs.string })
  const count = 200
  const client = weirClient([broker.bootstrap])
  const consumer = kafkaJs([broker.kafka]).consumer({ groupId: 'cross-client', heartbeatInterval: 500 })
  try {
    await client.admin().createTopic({ topic: topic.name, partitions: 2 })
    const producer = client.producer({ acks: 'all' })
    await Promise.all(
      Array.from({ length: count }, (_, index) =>
        producer.send({
          topic,
          key: index % 3 === 0 ? undefined : `k${index % 7}`,
          value: `weir ${index} ✓`,
          headers: { index: String(index), origin: 'weir-client' },
        }),
      ),
    )
    await producer.close()

    const received: KafkaMessage[] = []
    await consumer.connect()
    await consumer.subscribe({ topics: [topic.name], fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(message)
      },
    })
    await eventually(
      () => `${count} records in KafkaJS (read ${received.length})`,
      () => received.length >= count,
      { timeoutMs: 60_000, intervalMs: 50 },
    )
    const byIndex = new Map(received.map((message) => [Number(message.headers?.index?.toString()), message]))
    assert.equal(byIndex.size, count, 'every record once')
    for (let index = 0; index < count; index++) {
      const message = byIndex.get(index)
      assert.ok(message, `record ${index}`)
      assert.equal(message.value?.toString('utf8'), `weir ${index} ✓`)
      assert.equal(message.key?.toString('utf8') ?? null, index % 3 === 0 ? null : `k${index % 7}`)
      assert.equal(message.headers?.origin?.toString(), 'weir-client')
      assert.deepEqual(Object.keys(message.headers ?? {}).sort(), ['index', 'origin'])
    }
  } finally {
    await consumer.disconnect()
    await client.close()
  }
})

test.run()
