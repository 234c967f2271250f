// Proves a rewritten batch keeps its offset range and header, each kept record its offset and timestamp, with a valid CRC, compressed or not, even with no records left.
import {
  type CompressionName,
  decodeRecordBatch,
  encodeRecordBatch,
  inspectBatch,
  readBatchHeader,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readBatchRecords, rewriteBatch } from '../src/index.js'

function batchOf(compression: CompressionName): Buffer {
  const records = Array.from({ length: 5 }, (_, index) => ({
    key: Buffer.from(`k${index % 2}`),
    value: index === 4 ? null : Buffer.from(`value-${index}`.repeat(10)),
    timestamp: 1_000 + index * 10,
  }))
  return encodeRecordBatch(records, {
    timestamp: 1_000,
    baseOffset: 100,
    term: 7,
    compression,
    producerId: 42,
    producerEpoch: 3,
    baseSequence: 9,
  })
}

for (const compression of ['none', 'gzip', 'lz4', 'zstd', 'snappy'] as const) {
  test(`${compression}: dropped records leave the header's range and fields, kept ones their offsets`, () => {
    const batch = batchOf(compression)
    const rewritten = rewriteBatch(batch, (index) => index === 1 || index === 4)
    const check = inspectBatch(rewritten, 0, rewritten.length)
    assert.ok(check.ok, 'the CRC is recomputed')
    const before = readBatchHeader(batch)
    const after = readBatchHeader(rewritten)
    assert.equal(
      { ...after, batchLength: 0, crc: 0, recordCount: 0 },
      { ...before, batchLength: 0, crc: 0, recordCount: 0 },
    )
    assert.is(after.recordCount, 2)
    assert.is(after.lastOffsetDelta, 4)
    const records = decodeRecordBatch(rewritten).records
    assert.equal(
      records.map((record) => [
        record.offset,
        record.timestamp,
        record.value?.toString().slice(0, 7) ?? null,
      ]),
      [
        [101, 1010, 'value-1'],
        [104, 1040, null],
      ],
    )
  })

  test(`${compression}: a batch emptied of records keeps its header and decodes to none`, () => {
    const batch = batchOf(compression)
    const emptied = rewriteBatch(batch, () => false)
    assert.ok(inspectBatch(emptied, 0, emptied.length).ok)
    const header = readBatchHeader(emptied)
    assert.is(header.recordCount, 0)
    assert.is(header.baseOffset, 100)
    assert.is(header.lastOffsetDelta, 4)
    assert.is(header.term, 7)
    assert.equal(decodeRecordBatch(emptied).records, [])
    assert.equal(readBatchRecords(emptied).records, [])
  })
}

test('keeping every record returns the batch untouched', () => {
  const batch = batchOf('none')
  assert.is(
    rewriteBatch(batch, () => true),
    batch,
  )
})

test('control batches are reported as such, with no records to judge', () => {
  const control = encodeRecordBatch([{ value: Buffer.from('noop') }], { timestamp: 1, control: true })
  assert.equal(readBatchRecords(control), { records: [], control: true })
})

test.run()
