// Proves a data directory written before a broker alone ran Raft (the fixture: topic "legacy" of 3
// partitions with 30 keyed records, and group "legacy-group" having committed all of them, written
// by the previous release) opens as it is: records at their offsets, the group's offsets, and new
// records continuing at the old log ends.
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, codecs, defineTopic } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { removeDataDirectories, startBroker, take } from './helpers.js'

test.after(() => removeDataDirectories())

const fixture = join(import.meta.dirname, '..', 'fixtures', 'pre-raft-data-dir')
const legacy = defineTopic({ name: 'legacy', codec: codecs.string })
const logEnds = [8, 9, 13]

test('a pre-Raft data dir keeps its records, offsets and group offsets', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-pre-raft-'))
  cpSync(fixture, dataDir, { recursive: true })
  const running = await startBroker(dataDir)
  const client = new Client({ brokers: [running.address], clientId: 'pre-raft' })
  try {
    const description = await client.admin().describeTopic('legacy')
    assert.equal(
      description.partitions.map((partition) => partition.highWatermark),
      logEnds,
      'every partition keeps its log end',
    )
    const consumer = client.consumer({ topics: [legacy], fromBeginning: true })
    const messages = await take(consumer, 30)
    await consumer.close()
    assert.equal(
      new Set(messages.map((message) => message.value)),
      new Set(Array.from({ length: 30 }, (_, i) => `v${i}`)),
    )
    for (const message of messages) assert.is(message.value, `v${message.key!.slice(1)}`)
    const group = await client.admin().describeGroup('legacy-group')
    assert.equal(
      group.offsets.map((offset) => [offset.partition, offset.committedOffset]),
      logEnds.map((end, partition) => [partition, end]),
      'the group keeps its committed offsets',
    )
    const producer = client.producer({ acks: 'all' })
    const sent = await producer.send({ topic: legacy, partition: 0, value: 'after' })
    await producer.close()
    assert.is(sent.offset, logEnds[0], 'a new record continues at the old log end')
  } finally {
    await client.close()
    await running.broker.close()
  }
  // And again after a restart of the adopted directory.
  const again = await startBroker(dataDir)
  const client2 = new Client({ brokers: [again.address], clientId: 'pre-raft-2' })
  try {
    const description = await client2.admin().describeTopic('legacy')
    assert.equal(
      description.partitions.map((partition) => partition.highWatermark),
      [logEnds[0]! + 1, logEnds[1], logEnds[2]],
    )
  } finally {
    await client2.close()
    await again.broker.close()
  }
})

test.run()
