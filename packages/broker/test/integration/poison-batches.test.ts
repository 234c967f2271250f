// Proves, over real TCP, that each poison batch whose CRC holds (false recordCount, bad varint, lying record length, out-of-order offsets, unknown codec, 2^32-1 records, a 1 GiB gzip bomb) is refused with INVALID_RECORD or MESSAGE_TOO_LARGE before anything is stored, and a consumer then still reads every good record.
import { gzipSync } from 'node:zlib'
import {
  BatchField,
  batchHeaderBytes,
  batchLengthPrefixBytes,
  computeBatchCrc,
  ErrorCodes,
  encodeRecordBatch,
  Produce,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import {
  assertHealthy,
  batchOf,
  createTopic,
  produce,
  readAll,
  removeTempDirectories,
  startBroker,
} from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

const mebibyte = 1024 * 1024
const topic = 'orders'
let broker: Broker
let port: number

test.before(async () => {
  broker = await startBroker()
  port = broker.address.port
  const client = await WireClient.connect(port)
  await createTopic(client, topic, 1, { maxMessageBytes: 4 * mebibyte })
  await client.close()
})

test.after(async () => {
  await broker.close()
  removeTempDirectories()
})

const good = (label: string) =>
  batchOf([
    { key: Buffer.from('k'), value: Buffer.from(`${label}-0`) },
    { key: null, value: Buffer.from(`${label}-1`), headers: [{ key: 'h', value: null }] },
  ])

/** `batch`'s header over `section`, counts and CRC set so only the content is wrong. */
function poison(section: Buffer, { recordCount = 2, codec = 0 } = {}): Buffer {
  const batch = Buffer.concat([good('poison').subarray(0, batchHeaderBytes), section])
  batch.writeUInt32BE(batch.length - batchLengthPrefixBytes, BatchField.batchLength)
  batch.writeUInt16BE(codec, BatchField.attributes)
  batch.writeUInt32BE(recordCount, BatchField.recordCount)
  batch.writeUInt32BE(recordCount - 1, BatchField.lastOffsetDelta)
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BatchField.crc)
  return batch
}

const sectionOf = (batch: Buffer) => Buffer.from(batch.subarray(batchHeaderBytes))

/** The two records of a good batch, changed in place by `edit`. */
function edited(edit: (section: Buffer) => void): Buffer {
  const section = sectionOf(good('poison'))
  edit(section)
  return section
}

/** A record is: length varint, attributes, timestampDelta, offsetDelta, …; all one byte here. */
function secondOffsetDeltaTo(offsetDelta: number): (section: Buffer) => void {
  return (section) => {
    const second = 1 + section[0]! / 2
    section[second + 3] = offsetDelta * 2
  }
}

// 64 gzip members of 16 MiB of zeros each: about 1 MiB on the wire, 1 GiB inflated.
function gzipBomb(): Buffer {
  const member = gzipSync(Buffer.alloc(16 * mebibyte), { level: 9 })
  return Buffer.concat(Array.from({ length: 64 }, () => member))
}

test('every poison batch is refused by name and nothing of its partition is stored', async () => {
  const client = await WireClient.connect(port)
  const first = await produce(client, topic, 0, good('before'))
  assert.is(first.errorCode, 0)
  const plain = () => sectionOf(good('x'))
  const cases: [string, Buffer, 'INVALID_RECORD' | 'MESSAGE_TOO_LARGE', RegExp][] = [
    ['recordCount above the records', poison(plain(), { recordCount: 3 }), 'INVALID_RECORD', /record 2/],
    ['recordCount below the records', poison(plain(), { recordCount: 1 }), 'INVALID_RECORD', /bytes follow/],
    ['2^32-1 records', poison(plain(), { recordCount: 2 ** 32 - 1 }), 'INVALID_RECORD', /outside 1 to/],
    [
      'a varint of 9 bytes',
      poison(edited((bytes) => bytes.fill(0xff, 2, 11))),
      'INVALID_RECORD',
      /longer than 8/,
    ],
    ['a record length that lies', poison(edited((bytes) => (bytes[0]! -= 4))), 'INVALID_RECORD', /record 0/],
    ['offsets out of order', poison(edited(secondOffsetDeltaTo(2))), 'INVALID_RECORD', /offsetDelta 2/],
    ['an unknown codec', poison(plain(), { codec: 6 }), 'INVALID_RECORD', /codec 6 is unknown/],
    ['a 1 GiB gzip bomb', poison(gzipBomb(), { codec: 1 }), 'MESSAGE_TOO_LARGE', /inflate past/],
  ]
  const memoryBefore = process.memoryUsage().arrayBuffers
  for (const [name, records, code, pattern] of cases) {
    // A good batch first in the same request: refused with its partition, so nothing is stored.
    const response = await client.call(Produce, {
      acks: -1,
      timeoutMs: 5000,
      topics: [
        { name: topic, partitions: [{ partition: 0, records: Buffer.concat([good(name), records]) }] },
      ],
    })
    const result = response.topics[0]!.partitions[0]!
    assert.is(result.errorCode, ErrorCodes[code].code, name)
    assert.match(result.errorMessage ?? '', /^batch 1: /, name)
    assert.match(result.errorMessage ?? '', pattern, name)
  }
  const grownBytes = process.memoryUsage().arrayBuffers - memoryBefore
  assert.ok(grownBytes < 256 * mebibyte, `the bomb was not inflated whole (grew ${grownBytes} bytes)`)
  assert.not.ok(ErrorCodes.INVALID_RECORD.retriable)
  const last = await produce(client, topic, 0, good('after'))
  assert.is(last.errorCode, 0)
  assert.is(last.baseOffset, first.baseOffset + 2, 'no offsets were taken by the refused batches')
  // The consumer decodes every batch of the partition: without the checks it stops on the first poison.
  const values = (await readAll(client, topic, 0)).map((record) => record.value)
  assert.equal(values, ['before-0', 'before-1', 'after-0', 'after-1'])
  await client.close()
  await assertHealthy(port, 'poison batches')
})

test('a gzip batch within maxMessageBytes once inflated is stored and read back', async () => {
  const client = await WireClient.connect(port)
  const records = [{ key: null, value: Buffer.from('zipped') }]
  const result = await produce(
    client,
    topic,
    0,
    encodeRecordBatch(records, { timestamp: 1, compression: 'gzip' }),
  )
  assert.is(result.errorCode, 0)
  const values = (await readAll(client, topic, 0, result.baseOffset)).map((record) => record.value)
  assert.equal(values, ['zipped'])
  await client.close()
})

test.run()
