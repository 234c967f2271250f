// Proves @weir/client's Consumer reads a compacted topic from the start: after the broker's cleaner ran, exactly the latest value per key (in cleaned segments) with its original offset, stepping over offset gaps and batches left without records; log end unchanged.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '@weir/broker'
import { Client, codecs, defineTopic } from '@weir/client'
import { decodeRecordBatch, splitBatches } from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { take } from './helpers.js'

const dataDir = mkdtempSync(join(tmpdir(), 'weir-compacted-'))
let broker: Broker
let client: Client

test.before(async () => {
  broker = await Broker.start({
    dataDir,
    listen: '127.0.0.1:0',
    logLevel: 'silent',
    limits: { cleanerIntervalMs: 50 },
  })
  client = new Client({ brokers: [`127.0.0.1:${broker.address.port}`], clientId: 'compacted-test' })
})

test.after(async () => {
  await client.close()
  await broker.close()
  rmSync(dataDir, { recursive: true, force: true })
})

test('a consumer from the beginning gets the latest value per key at its original offset', async () => {
  const name = 'accounts'
  await client
    .admin()
    .createTopic({ topic: name, partitions: 1, config: { cleanupPolicy: 'compact', segmentBytes: 2048 } })
  const topic = defineTopic<string>({ name, codec: codecs.string })
  // No linger: many small batches, each a few offsets, so cleaned batches keep gaps and some empty out.
  const producer = client.producer({ acks: 'all', lingerMs: 0 })
  const sent: { offset: number; key: string; value: string }[] = []
  for (let round = 0; round < 40; round++) {
    for (const key of ['a', 'b', 'c', 'd', 'e']) {
      const value = `${key}-${round}`.padEnd(40, '.')
      const { offset } = await producer.send({ topic, key, value })
      sent.push({ offset, key, value })
    }
  }
  await producer.close()
  const log = broker.store.topic(name).partition(0)
  const activeBase = log.segmentBaseOffsets.at(-1)!
  const endBefore = log.logEndOffset
  const latest = new Map<string, (typeof sent)[number]>()
  for (const record of sent) if (record.offset < activeBase) latest.set(record.key, record)
  const expected = [
    ...[...latest.values()].sort((left, right) => left.offset - right.offset),
    ...sent.filter((record) => record.offset >= activeBase),
  ]
  assert.ok(expected.length < sent.length / 2, 'most records are old updates')
  // Done when the log itself holds only what a consumer should get.
  const recordsInLog = async () => {
    let count = 0
    let offset = log.logStartOffset
    while (offset < log.logEndOffset) {
      const { bytes, nextOffset } = await log.read(offset, 1 << 20)
      for (const batch of splitBatches(bytes)) count += decodeRecordBatch(batch).records.length
      offset = nextOffset
    }
    return count
  }
  await eventually(
    'the cleaner to compact accounts',
    async () => (await recordsInLog()) === expected.length || undefined,
    {
      timeoutMs: 60_000,
      intervalMs: 200,
    },
  )
  assert.is(log.logEndOffset, endBefore)
  const consumer = client.consumer({ topics: [topic], fromBeginning: true })
  const consumed = await take(consumer, expected.length, 30_000)
  await consumer.close()
  assert.equal(
    consumed.map((message) => ({ offset: message.offset, key: message.key, value: message.value })),
    expected,
  )
})

test.run()
