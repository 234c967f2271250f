// Proves each codec end to end through a real broker over TCP: a producer with `compression` stores batches whose attributes carry Kafka's codec number and whose segment holds the compressed bytes (smaller than the same records uncompressed), and a consumer reads every record back unchanged.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client, codecs, defineTopic } from '@weir/client'
import {
  attributeCompressionMask,
  BatchField,
  Compression,
  type CompressionName,
  splitBatches,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type RunningBroker, removeDataDirectories, startBroker, take } from './helpers.js'

let running: RunningBroker
let client: Client

test.before(async () => {
  running = await startBroker()
  client = new Client({ brokers: [running.address], clientId: 'compression-test' })
})

test.after(async () => {
  await client.close()
  await running.broker.close()
  removeDataDirectories()
})

interface Order {
  orderId: string
  customer: { id: number; name: string; email: string }
  items: { sku: string; quantity: number; priceCents: number }[]
  status: string
}

function order(index: number): Order {
  return {
    orderId: `order-${index}`,
    customer: { id: index % 97, name: `Customer ${index % 97}`, email: `customer${index % 97}@example.com` },
    items: Array.from({ length: 1 + (index % 4) }, (_, item) => ({
      sku: `SKU-${(index * 7 + item) % 500}`,
      quantity: 1 + (item % 3),
      priceCents: 100 + ((index * 31 + item) % 9000),
    })),
    status: ['placed', 'paid', 'shipped', 'delivered'][index % 4]!,
  }
}

const recordCount = 2000

function segmentBytes(topic: string): { bytes: number; codecs: Set<number> } {
  const directory = join(running.dataDir, topic, '0')
  let bytes = 0
  const seen = new Set<number>()
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.log'))) {
    const content = readFileSync(join(directory, file))
    bytes += content.length
    for (const batch of splitBatches(content)) {
      seen.add(batch.readUInt16BE(BatchField.attributes) & attributeCompressionMask)
    }
  }
  return { bytes, codecs: seen }
}

async function roundTrip(compression: CompressionName): Promise<number> {
  const name = `orders-${compression}`
  await client.admin().createTopic({ topic: name, partitions: 1 })
  const topic = defineTopic<Order>({ name, codec: codecs.json })
  const producer = client.producer({ acks: 'all', lingerMs: 5, compression })
  const messages = Array.from({ length: recordCount }, (_, index) => ({
    key: `k-${index}`,
    value: order(index),
  }))
  await producer.sendBatch({ topic, messages })
  await producer.close()
  const consumer = client.consumer({ topics: [topic], fromBeginning: true })
  const consumed = await take(consumer, recordCount)
  await consumer.close()
  assert.equal(
    consumed.map((message) => message.value),
    messages.map((message) => message.value),
    `${compression}: every record back unchanged, in order`,
  )
  assert.equal(consumed[17]!.key?.toString(), 'k-17')
  const stored = segmentBytes(name)
  assert.equal(
    [...stored.codecs],
    [Compression[compression]],
    `${compression}: batches carry codec ${Compression[compression]}`,
  )
  return stored.bytes
}

test('every codec stores compressed batches and reads back every record', async () => {
  const plainBytes = await roundTrip('none')
  for (const compression of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    const bytes = await roundTrip(compression)
    assert.ok(
      bytes * 2 < plainBytes,
      `${compression}: ${bytes} bytes on disk against ${plainBytes} uncompressed`,
    )
  }
})

test('an unknown codec name is refused by client.producer() with INVALID_CONFIG', () => {
  assert.throws(
    () => client.producer({ compression: 'brotli' as CompressionName }),
    (error: Error) =>
      /compression must be one of 'none', 'gzip', 'snappy', 'lz4', 'zstd'/.test(error.message),
  )
})

test.run()
