// Proves a compacted topic on a broker (RF 1): the cleaner leaves the latest record per key (tombstones within deleteRetentionMs included) at its original offset, log start and end stay, Fetch serves batches with offset gaps, and keyless records are refused.
import { decodeRecordBatch, ErrorCodes, encodeRecordBatch, splitBatches } from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { createTopic, fetchOnce, produce, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

let broker: Broker
let client: WireClient

test.before(async () => {
  broker = await startBroker({ limits: { cleanerIntervalMs: 50 } })
  client = await WireClient.connect(broker.address.port)
})

test.after(async () => {
  await client.close()
  await broker.close()
  removeTempDirectories()
})

interface Written {
  readonly offset: number
  readonly key: string
  readonly value: string | null
}

/** Every record from offset 0, with nulls kept (a tombstone is null, not empty). */
async function readEverything(topic: string): Promise<Written[]> {
  const records: Written[] = []
  let offset = 0
  for (;;) {
    const result = await fetchOnce(client, topic, 0, offset, { maxBytes: 1 << 20 })
    assert.is(result.errorCode, 0, result.errorMessage)
    if (result.records.length === 0) return records
    for (const bytes of splitBatches(result.records)) {
      const batch = decodeRecordBatch(bytes)
      for (const record of batch.records) {
        if (record.offset < offset) continue
        records.push({
          offset: record.offset,
          key: String(record.key),
          value: record.value?.toString() ?? null,
        })
      }
      offset = batch.header.baseOffset + batch.header.lastOffsetDelta + 1
    }
  }
}

test('the cleaner keeps the latest record per key, tombstones included, at the original offsets', async () => {
  await createTopic(client, 'profiles', 1, {
    cleanupPolicy: 'compact',
    segmentBytes: 1024,
    deleteRetentionMs: 3_600_000,
  })
  const keys = ['ann', 'bob', 'cyd', 'dee']
  const written: Written[] = []
  const send = async (records: { key: string; value: string | null }[]) => {
    const batch = encodeRecordBatch(
      records.map((record) => ({
        key: Buffer.from(record.key),
        value: record.value === null ? null : Buffer.from(record.value),
      })),
      { timestamp: Date.now() },
    )
    const result = await produce(client, 'profiles', 0, batch)
    assert.is(result.errorCode, 0, result.errorMessage)
    for (const [index, record] of records.entries())
      written.push({ offset: result.baseOffset + index, ...record })
  }
  for (let round = 0; round < 50; round++) {
    await send(keys.slice(0, 3).map((key) => ({ key, value: `${key}-v${round}` })))
    await send([{ key: 'dee', value: `dee-v${round}` }])
  }
  await send([{ key: 'dee', value: null }])
  // Another key's updates roll every update above into closed segments, the cleaner's to clean.
  for (let round = 0; round < 30; round++)
    await send([{ key: 'eve', value: `eve-v${round}`.padEnd(60, '.') }])

  const log = broker.store.topic('profiles').partition(0)
  const activeBase = log.segmentBaseOffsets.at(-1)!
  const before = await fetchOnce(client, 'profiles', 0, 0)
  const latest = new Map<string, Written>()
  for (const record of written) if (record.offset < activeBase) latest.set(record.key, record)
  const expected = [
    ...[...latest.values()].sort((left, right) => left.offset - right.offset),
    ...written.filter((record) => record.offset >= activeBase),
  ]
  const after = await eventually(
    'the cleaner to compact profiles',
    async () => {
      const records = await readEverything('profiles')
      return records.length === expected.length ? records : undefined
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  )
  assert.equal(after, expected)
  assert.ok(
    after.some((record) => record.key === 'dee' && record.value === null),
    'the tombstone stays within deleteRetentionMs',
  )
  const below = after.filter((record) => record.offset < activeBase)
  assert.equal(below.map((record) => record.key).sort(), [...keys, 'eve'].sort(), 'one record per key')
  const now = await fetchOnce(client, 'profiles', 0, 0)
  assert.is(now.logStartOffset, before.logStartOffset)
  assert.is(now.highWatermark, before.highWatermark)
  // A read from an offset the cleaner removed starts at the next record kept.
  const removed = written.find((record) => !after.some((kept) => kept.offset === record.offset))!
  const fromRemoved = (await readEverything('profiles')).filter((record) => record.offset >= removed.offset)
  assert.equal(
    fromRemoved,
    expected.filter((record) => record.offset >= removed.offset),
  )
})

test('a compacted topic refuses records without a key, saying to set one', async () => {
  await createTopic(client, 'keyed', 1, { cleanupPolicy: 'compact,delete' })
  const keyless = encodeRecordBatch(
    [{ key: Buffer.from('k'), value: Buffer.from('a') }, { value: Buffer.from('b') }],
    {
      timestamp: Date.now(),
    },
  )
  const refused = await produce(client, 'keyed', 0, keyless)
  assert.is(refused.errorCode, ErrorCodes.INVALID_RECORD.code)
  assert.match(
    refused.errorMessage ?? '',
    /record 1 has no key, but topic keyed is compacted .*give every record a key/,
  )
  const accepted = await produce(
    client,
    'keyed',
    0,
    encodeRecordBatch([{ key: Buffer.from('k'), value: null }], { timestamp: Date.now() }),
  )
  assert.is(accepted.errorCode, 0)
})

test.run()
