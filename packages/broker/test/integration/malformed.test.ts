// Proves each kind of bad input gets a typed error response or a logged close, and a healthy produce/fetch on another connection still works after it.
import {
  ApiKeys,
  BatchField,
  computeBatchCrc,
  ErrorCodes,
  encodeBody,
  encodeRecordBatch,
  Fetch,
  Produce,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import {
  assertHealthy,
  batchOf,
  createTopic,
  memoryLogger,
  produce,
  readAll,
  removeTempDirectories,
  startBroker,
} from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

const maxFrameBytes = 1024 * 1024
const logs = memoryLogger('debug')
let broker: Broker
let port: number

test.before(async () => {
  broker = await startBroker({ logger: logs.logger, limits: { maxFrameBytes } })
  port = broker.address.port
  const client = await WireClient.connect(port)
  await createTopic(client, 'target', 1)
  await produce(client, 'target', 0, batchOf([{ key: null, value: Buffer.from('before') }]))
  await client.close()
})

test.after(async () => {
  await broker.close()
  removeTempDirectories()
})

function lengthPrefix(length: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(length)
  return bytes
}

test('a frame longer than maxFrameBytes closes the connection, logged with the remote address', async () => {
  const client = await WireClient.connect(port)
  client.writeRaw(lengthPrefix(maxFrameBytes + 1))
  await client.closed
  const warning = logs.lines().find((line) => /bad frame length/.test(String(line.msg)))
  assert.ok(warning, 'a warning was logged')
  assert.match(String(warning!.remote), /^127\.0\.0\.1:\d+$/)
  assert.match(String(warning!.reason), /more than the limit/)
  await assertHealthy(port, 'oversized frame')
})

test('a frame shorter than the request header closes the connection', async () => {
  const client = await WireClient.connect(port)
  client.writeRaw(Buffer.concat([lengthPrefix(3), Buffer.from([1, 2, 3])]))
  await client.closed
  await assertHealthy(port, 'short frame')
})

test('an unknown API key gets UNKNOWN_API and the connection stays usable', async () => {
  const client = await WireClient.connect(port)
  const response = await client.send(999, 0, encodeBody({}))
  assert.is(response.errorCode, 23)
  assert.match(String(response.errorMessage), /999/)
  const again = await client.call(Fetch, { maxWaitMs: 0, minBytes: 0, maxBytes: 1, topics: [] })
  assert.is(again.errorCode, 0)
  await client.close()
  await assertHealthy(port, 'unknown API key')
})

test('an unsupported version gets UNSUPPORTED_VERSION', async () => {
  const client = await WireClient.connect(port)
  const response = await client.send(ApiKeys.Produce, 7, encodeBody({}))
  assert.is(response.errorCode, 10)
  assert.match(String(response.errorMessage), /Produce version 7/)
  await client.close()
  await assertHealthy(port, 'unknown version')
})

test('truncated msgpack gets INVALID_REQUEST', async () => {
  const client = await WireClient.connect(port)
  const body = encodeBody({ acks: -1, timeoutMs: 1000, topics: [{ name: 'target', partitions: [] }] })
  const response = await client.send(ApiKeys.Produce, 0, body.subarray(0, body.length - 4))
  assert.is(response.errorCode, 9)
  const empty = await client.send(ApiKeys.Metadata, 0, Buffer.alloc(0))
  assert.is(empty.errorCode, 9)
  await client.close()
  await assertHealthy(port, 'truncated msgpack')
})

test('wrong field types get INVALID_REQUEST naming the field', async () => {
  const client = await WireClient.connect(port)
  const response = await client.send(
    ApiKeys.Produce,
    0,
    encodeBody({
      acks: -1,
      timeoutMs: 1000,
      topics: [{ name: 'target', partitions: [{ partition: 0, records: 'text' }] }],
    }),
  )
  assert.is(response.errorCode, 9)
  assert.match(String(response.errorMessage), /Produce\.topics\[0\]\.partitions\[0\]\.records must be binary/)
  const notAMap = await client.send(ApiKeys.Fetch, 0, encodeBody([1, 2, 3]))
  assert.is(notAMap.errorCode, 9)
  const badConfig = await client.send(
    ApiKeys.CreateTopics,
    0,
    encodeBody({
      topics: [{ name: 'x', partitions: 1, replicationFactor: 1, config: { retentionMs: 'soon' } }],
    }),
  )
  assert.is(badConfig.errorCode, 13)
  await client.close()
  await assertHealthy(port, 'wrong field types')
})

test('a batch with a bad CRC is CORRUPT_MESSAGE and leaves the log unchanged', async () => {
  const client = await WireClient.connect(port)
  const before = await readAll(client, 'target', 0)
  const good = batchOf([{ key: null, value: Buffer.from('good') }])
  const bad = batchOf([{ key: null, value: Buffer.from('flipped') }])
  bad[bad.length - 2]! ^= 0xff
  const response = await client.call(Produce, {
    acks: -1,
    timeoutMs: 1000,
    topics: [{ name: 'target', partitions: [{ partition: 0, records: Buffer.concat([good, bad]) }] }],
  })
  const result = response.topics[0]!.partitions[0]!
  assert.is(result.errorCode, 2)
  assert.match(result.errorMessage!, /CRC/)
  assert.equal(await readAll(client, 'target', 0), before, 'not even the good batch before it was appended')
  await client.close()
  await assertHealthy(port, 'bad CRC')
})

test('a control batch from a client is INVALID_RECORD: only brokers write them', async () => {
  const client = await WireClient.connect(port)
  const before = await readAll(client, 'target', 0)
  const marker = encodeRecordBatch([{ key: Buffer.from('log-start'), value: Buffer.alloc(8, 1) }], {
    timestamp: 0,
    control: true,
  })
  const response = await client.call(Produce, {
    acks: -1,
    timeoutMs: 1000,
    topics: [{ name: 'target', partitions: [{ partition: 0, records: marker }] }],
  })
  const result = response.topics[0]!.partitions[0]!
  assert.is(result.errorCode, ErrorCodes.INVALID_RECORD.code)
  assert.match(result.errorMessage!, /control attribute/)
  assert.equal(await readAll(client, 'target', 0), before)
  await client.close()
  await assertHealthy(port, 'control batch')
})

/** A good batch with `edit` applied and its CRC recomputed: damage the CRC cannot explain. */
function rebuilt(edit: (batch: Buffer) => void): Buffer {
  const batch = batchOf([{ key: null, value: Buffer.from('never valid') }])
  edit(batch)
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BatchField.crc)
  return batch
}

test('batches that can never be valid are INVALID_RECORD (not retriable) and leave the log unchanged', async () => {
  const client = await WireClient.connect(port)
  const before = await readAll(client, 'target', 0)
  const cases: Array<[string, Buffer, RegExp]> = [
    ['empty records', Buffer.alloc(0), /empty/],
    ['bad magic', rebuilt((batch) => (batch[BatchField.magic] = 9)), /magic 9/],
    [
      'a false recordCount',
      rebuilt((batch) => batch.writeUInt32BE(5, BatchField.recordCount)),
      /recordCount 5 is above lastOffsetDelta \+ 1 \(1\)/,
    ],
    [
      'an unknown codec',
      rebuilt((batch) => batch.writeUInt16BE(0b111, BatchField.attributes)),
      /compression codec 7/,
    ],
  ]
  for (const [name, records, message] of cases) {
    const response = await client.call(Produce, {
      acks: -1,
      timeoutMs: 1000,
      topics: [{ name: 'target', partitions: [{ partition: 0, records }] }],
    })
    const result = response.topics[0]!.partitions[0]!
    assert.is(result.errorCode, ErrorCodes.INVALID_RECORD.code, name)
    assert.match(result.errorMessage!, message, name)
  }
  assert.not.ok(ErrorCodes.INVALID_RECORD.retriable)
  assert.equal(await readAll(client, 'target', 0), before)
  await client.close()
  await assertHealthy(port, 'invalid records')
})

test('a client that disconnects mid-request does not disturb the broker', async () => {
  const midFrame = await WireClient.connect(port)
  const body = encodeBody({ acks: -1, timeoutMs: 1000, topics: [] })
  const frame = Buffer.concat([lengthPrefix(8 + body.length), Buffer.alloc(8), body])
  midFrame.writeRaw(frame.subarray(0, frame.length - 3))
  await midFrame.close()

  const midRequest = await WireClient.connect(port)
  const waiting = midRequest.send(
    ApiKeys.Fetch,
    0,
    encodeBody({
      maxWaitMs: 5000,
      minBytes: 1 << 20,
      maxBytes: 1 << 20,
      topics: [{ name: 'target', partitions: [{ partition: 0, fetchOffset: 0, maxBytes: 1 << 20 }] }],
    }),
  )
  const producing = midRequest.call(Produce, {
    acks: -1,
    timeoutMs: 1000,
    topics: [
      {
        name: 'target',
        partitions: [{ partition: 0, records: batchOf([{ key: null, value: Buffer.from('orphan') }]) }],
      },
    ],
  })
  midRequest.socket.destroy()
  await Promise.allSettled([waiting, producing])
  await assertHealthy(port, 'disconnect mid-request')
  // The orphaned produce either landed once or not at all.
  const client = await WireClient.connect(port)
  const orphans = (await readAll(client, 'target', 0)).filter((record) => record.value === 'orphan')
  assert.ok(orphans.length <= 1)
  await client.close()
})

test('no error-level log was written: every case above was an operating error', () => {
  const errors = logs.lines().filter((line) => Number(line.level) >= 50)
  assert.equal(errors, [])
})

test.run()
