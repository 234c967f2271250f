// Proves the producer rides out a broker restart on the same port and data directory: retried sends succeed and every acknowledged message is there afterwards.

import { Client, type RecordMetadata } from '@weir/client'
import { nodeEnvironment, type Transport, tcpTransport } from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { removeDataDirectories, startBroker, take } from './helpers.js'

test.after(() => removeDataDirectories())

test('acknowledged messages survive a broker restart mid-stream', async () => {
  let running = await startBroker()
  const { dataDir, address } = running
  // TCP, counting the connections refused: the broker stays down until the producer has met that.
  let refused = 0
  const transport: Transport = {
    ...tcpTransport,
    connect: (to, timeoutMs) =>
      tcpTransport.connect(to, timeoutMs).catch((error: unknown) => {
        refused++
        throw error
      }),
  }
  // Short request timeouts: a connection the closing broker accepted but never serves is dropped fast.
  const client = new Client({
    environment: { ...nodeEnvironment, transport },
    brokers: [address],
    reconnectBackoffMs: 20,
    maxReconnectBackoffMs: 200,
    requestTimeoutMs: 1000,
  })
  await client.admin().createTopic({ topic: 'stream', partitions: 3 })
  const producer = client.producer({
    lingerMs: 1,
    retryBackoffMs: 20,
    maxRetryBackoffMs: 200,
    retries: 1000,
    ackTimeoutMs: 1000,
  })
  const acknowledged: RecordMetadata[] = []
  const failures: unknown[] = []
  let restarted = false
  const total = 600
  const sending = (async () => {
    for (let index = 0; index < total; index++) {
      // The broker stops before this send, which the producer then has to retry across the outage.
      if (index === total / 2) await running.broker.close()
      producer.send({ topic: 'stream', key: `k${index % 9}`, value: index }).then(
        (metadata) => acknowledged.push(metadata),
        (error: unknown) => failures.push(error),
      )
      if (index === total / 2) {
        await eventually('the producer to be refused by the stopped broker', () => refused > 0)
        running = await startBroker(dataDir, address)
        restarted = true
      }
      if (index % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 2)) // paces the sends
    }
    await producer.flush()
  })()
  await sending
  assert.ok(restarted)
  assert.equal(failures, [])
  assert.is(acknowledged.length, total)
  const consumer = client.consumer({ topics: ['stream'], fromBeginning: true })
  const messages = await take(consumer, total)
  await consumer.close()
  const stored = new Set(messages.map((message) => `${message.partition}:${message.offset}:${message.value}`))
  const values = new Set(messages.map((message) => message.value as number))
  for (let index = 0; index < total; index++) assert.ok(values.has(index), `value ${index} missing`)
  for (const metadata of acknowledged) {
    assert.ok(
      [...stored].some((entry) => entry.startsWith(`${metadata.partition}:${metadata.offset}:`)),
      `${metadata.partition}:${metadata.offset} missing`,
    )
  }
  await client.close()
  await running.broker.close()
})

test.run()
