// Proves topics, configs and every acknowledged record survive an in-process broker restart on the same data directory.
import { Metadata } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
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

test('a fresh broker creates __consumer_offsets once, with no warning but the open one, and a restart keeps it', async () => {
  const dataDir = tempDirectory()
  for (const start of ['fresh', 'restart']) {
    const { logger, lines } = memoryLogger('debug')
    const broker = await startBroker({ dataDir, logger })
    await broker.groups.loaded
    await broker.close()
    // The one warning an open broker gives at start (no authentication, no authorizer) is expected.
    const warnings = lines().filter(
      (line) => (line.level as number) >= 40 && !String(line.msg).startsWith('this broker is open'),
    )
    assert.equal(warnings, [], `${start}: no other warning or error is logged`)
    const created = lines().filter((line) => line.msg === 'created __consumer_offsets')
    assert.is(created.length, start === 'fresh' ? 1 : 0, `${start}: created __consumer_offsets`)
  }
})

test('restart reads everything back, in order, and keeps appending after it', async () => {
  const dataDir = tempDirectory()
  const first = await startBroker({ dataDir })
  let client = await WireClient.connect(first.address.port)
  await createTopic(client, 'ledger', 3, { retentionMs: 3_600_000, segmentBytes: 4096 })
  const expected: string[][] = [[], [], []]
  for (let round = 0; round < 30; round++) {
    const partition = round % 3
    const records = recordsFor(`r${round}`, 5)
    const result = await produce(client, 'ledger', partition, batchOf(records))
    assert.is(result.errorCode, 0)
    expected[partition]!.push(...records.map((record) => record.value!.toString()))
  }
  await client.close()
  await first.close()

  const second = await startBroker({ dataDir })
  client = await WireClient.connect(second.address.port)
  const metadata = await client.call(Metadata, { topics: ['ledger'] })
  const topic = metadata.topics[0]!
  assert.is(topic.errorCode, 0)
  assert.is(topic.config.segmentBytes, 4096)
  assert.is(topic.config.retentionMs, 3_600_000)
  assert.equal(
    topic.partitions.map((partition) => partition.highWatermark),
    [50, 50, 50],
  )
  for (let partition = 0; partition < 3; partition++) {
    const records = await readAll(client, 'ledger', partition)
    assert.equal(
      records.map((record) => record.value),
      expected[partition],
    )
  }
  const next = await produce(client, 'ledger', 0, batchOf(recordsFor('after', 1)))
  assert.is(next.baseOffset, 50)
  await client.close()
  await second.close()
})

test('a second broker on a port in use fails with a message naming the port', async () => {
  const first = await startBroker()
  try {
    await startBroker({ listen: `127.0.0.1:${first.address.port}` })
    assert.unreachable('should not start')
  } catch (error) {
    assert.match(
      (error as Error).message,
      new RegExp(`port ${first.address.port} on 127.0.0.1 is already in use`),
    )
  } finally {
    await first.close()
  }
})

test.run()
