// Proves a controller log holding invalid committed records (a topic named ../../x, a bad config, the deletion of __consumer_offsets or of the metadata log itself, unreadable bytes) cannot stop a restart: the broker starts, skips each of them with one error line, applies the valid records around them, and serves.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeBody, encodeRecordBatch, Metadata } from '@weir/protocol'
import { TopicStore } from '@weir/storage'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  assertHealthy,
  batchOf,
  createTopic,
  memoryLogger,
  produce,
  readAll,
  recordsFor,
  removeTempDirectories,
  startBroker,
  tempDirectory,
} from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

test.after(() => removeTempDirectories())

const poison: [string, unknown][] = [
  ['a topic named ../../x', { type: 'topicCreated', name: '../../x', id: 'p1', config: {}, replicas: [[1]] }],
  [
    'a config storage refuses',
    { type: 'topicCreated', name: 'cfg', id: 'p2', config: { segmentBytes: 1 }, replicas: [[1]] },
  ],
  ['deleting __consumer_offsets', { type: 'topicDeleted', name: '__consumer_offsets' }],
  ['deleting the metadata log', { type: 'topicDeleted', name: '__cluster_metadata' }],
  [
    '10,001 partitions',
    {
      type: 'partitionsCreated',
      name: 'ledger',
      first: 2,
      replicas: Array.from({ length: 9_999 }, () => [1]),
    },
  ],
  ['bytes that are not msgpack', Buffer.from([0x82, 0xa4])],
]
const late = { type: 'topicCreated', name: 'late', id: 'late-1', config: {}, replicas: [[1]] }

/** Appends records to the controller log as committed entries of its current term (a broker alone commits its whole log). */
async function appendToControllerLog(dataDir: string, values: unknown[]): Promise<void> {
  const store = await TopicStore.open(dataDir)
  try {
    const log = store.topic('__cluster_metadata').partition(0)
    const { term } = JSON.parse(readFileSync(join(log.directory, 'raft-state.json'), 'utf8')) as {
      term: number
    }
    for (const value of values) {
      const body = Buffer.isBuffer(value) ? value : encodeBody(value)
      await log.append(encodeRecordBatch([{ value: body }], { timestamp: 1 }), { term })
    }
  } finally {
    await store.close()
  }
}

test('a broker whose controller log holds invalid committed records starts, skips them and serves', async () => {
  const dataDir = tempDirectory()
  const first = await startBroker({ dataDir })
  let client = await WireClient.connect(first.address.port)
  await createTopic(client, 'ledger', 2)
  const records = recordsFor('kept', 3)
  assert.is((await produce(client, 'ledger', 0, batchOf(records))).errorCode, 0)
  await first.groups.loaded
  await client.close()
  await first.close()

  await appendToControllerLog(dataDir, [...poison.map(([, value]) => value), late])

  for (const start of ['first restart', 'second restart']) {
    const { logger, lines } = memoryLogger('info')
    const broker = await startBroker({ dataDir, logger })
    client = await WireClient.connect(broker.address.port)
    const metadata = await client.call(Metadata, { topics: null })
    const names = metadata.topics.map((topic) => topic.name).filter((name) => name !== 'health')
    assert.equal(names.sort(), ['late', 'ledger'], start)
    assert.ok(
      broker.cluster.image.topic('__consumer_offsets'),
      `${start}: __consumer_offsets was not deleted`,
    )
    assert.is(metadata.topics.find((topic) => topic.name === 'ledger')!.partitions.length, 2, start)
    const values = (await readAll(client, 'ledger', 0)).map((record) => record.value)
    assert.equal(
      values,
      records.map((record) => record.value!.toString()),
      start,
    )
    await client.close()
    await assertHealthy(broker.address.port, start)
    await broker.groups.loaded
    await broker.close()
    const skipped = lines().filter((line) =>
      /skipped an invalid committed metadata record/.test(String(line.msg)),
    )
    assert.is(skipped.length, poison.length, `${start}: one error line per invalid record`)
    assert.ok(
      skipped.every((line) => line.level === 50),
      'logged at error level',
    )
    assert.match(String(skipped[0]!.msg), /"\.\.\/\.\.\/x"/)
  }
})

test.run()
