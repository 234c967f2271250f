// Proves the record-batch codec writes the documented bytes, round-trips, and rejects damaged batches with typed errors.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  BatchField,
  batchHeaderBytes,
  batchSizeAt,
  computeBatchCrc,
  decodeRecordBatch,
  encodeRecordBatch,
  inspectBatch,
  isWeirError,
  lastOffsetAt,
  offsetCountAt,
  patchBatch,
  RecordBatchBuilder,
  readBatchHeader,
  splitBatches,
  validateBatch,
} from '../src/index.js'

// Bitwise CRC-32C (Castagnoli, reflected 0x82F63B78): an independent reference for the library.
function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

const text = (value: string) => Buffer.from(value, 'utf8')

test('one small record encodes to the documented bytes', () => {
  const batch = encodeRecordBatch([{ key: text('k'), value: text('v') }], { timestamp: 1000 })
  const expectedWithoutCrc = Buffer.from(
    [
      '0000000000000000', // baseOffset
      '0000003a', // batchLength = 70 - 12
      '00000000', // term
      '01', // magic
      'CRCCRCCR', // crc, checked separately
      '0000', // attributes
      '00000000', // lastOffsetDelta
      '00000000000003e8', // firstTimestamp
      '00000000000003e8', // maxTimestamp
      'ffffffffffffffff', // producerId
      'ffff', // producerEpoch
      'ffffffff', // baseSequence
      '00000001', // recordCount
      '10', // record length 8 (zig-zag)
      '00', // record attributes
      '00', // timestampDelta
      '00', // offsetDelta
      '026b', // key length 1, "k"
      '0276', // value length 1, "v"
      '00', // header count
    ]
      .join('')
      .replace('CRCCRCCR', '00000000'),
    'hex',
  )
  assert.is(batch.length, 70)
  const withoutCrc = Buffer.from(batch)
  withoutCrc.writeUInt32BE(0, BatchField.crc)
  assert.equal(withoutCrc.toString('hex'), expectedWithoutCrc.toString('hex'))
  assert.is(batch.readUInt32BE(BatchField.crc), referenceCrc32c(batch.subarray(BatchField.attributes)))
})

test('encode then decode gives back keys, values, headers, timestamps and offsets', () => {
  const batch = encodeRecordBatch(
    [
      {
        key: text('a'),
        value: text('one'),
        headers: [{ key: 'source', value: text('web') }],
        timestamp: 5000,
      },
      { key: null, value: null, timestamp: 4000 },
      { value: text('three'), headers: [{ key: 'ü', value: null }] },
    ],
    { timestamp: 7000, baseOffset: 40, term: 3, producerId: 9, producerEpoch: 2, baseSequence: 17 },
  )
  const { header, records } = decodeRecordBatch(batch)
  assert.is(header.baseOffset, 40)
  assert.is(header.term, 3)
  assert.is(header.recordCount, 3)
  assert.is(header.firstTimestamp, 5000)
  assert.is(header.maxTimestamp, 7000)
  assert.equal([header.producerId, header.producerEpoch, header.baseSequence], [9, 2, 17])
  assert.equal(
    records.map((record) => [record.offset, record.timestamp, record.key?.toString() ?? null]),
    [
      [40, 5000, 'a'],
      [41, 4000, null],
      [42, 7000, null],
    ],
  )
  assert.is(records[0]!.value!.toString(), 'one')
  assert.is(records[1]!.value, null)
  assert.equal(records[0]!.headers, [{ key: 'source', value: text('web') }])
  assert.equal(records[2]!.headers, [{ key: 'ü', value: null }])
})

test('patching baseOffset and term leaves the CRC valid', () => {
  const batch = encodeRecordBatch([{ value: text('x') }, { value: text('y') }], { timestamp: 1 })
  const crcBefore = batch.readUInt32BE(BatchField.crc)
  patchBatch(batch, 0, 2 ** 40 + 7, 99)
  assert.is(batch.readUInt32BE(BatchField.crc), crcBefore)
  const header = validateBatch(batch)
  assert.is(header.baseOffset, 2 ** 40 + 7)
  assert.is(header.term, 99)
  assert.is(decodeRecordBatch(batch).records[1]!.offset, 2 ** 40 + 8)
})

test('gzip compression covers the records section and round-trips', () => {
  const records = Array.from({ length: 200 }, (_, index) => ({
    key: text(`k${index}`),
    value: text('v'.repeat(50)),
  }))
  const plain = encodeRecordBatch(records, { timestamp: 1 })
  const compressed = encodeRecordBatch(records, { timestamp: 1, compression: 'gzip' })
  assert.ok(compressed.length < plain.length / 4, `${compressed.length} vs ${plain.length}`)
  assert.is(readBatchHeader(compressed).attributes & 0b111, 1)
  const decoded = decodeRecordBatch(compressed).records
  assert.is(decoded.length, 200)
  assert.is(decoded[199]!.key!.toString(), 'k199')
})

test('a flipped bit anywhere the CRC covers is caught', () => {
  const batch = encodeRecordBatch([{ key: text('key'), value: text('value') }], { timestamp: 1 })
  for (let position = BatchField.attributes; position < batch.length; position++) {
    const damaged = Buffer.from(batch)
    damaged[position]! ^= 0x10
    const check = inspectBatch(damaged, 0, damaged.length)
    assert.not.ok(check.ok, `flip at ${position} went unnoticed`)
  }
})

test('a truncated batch is reported as incomplete and rejected with CORRUPT_MESSAGE', () => {
  const batch = encodeRecordBatch([{ value: text('hello world') }], { timestamp: 1 })
  for (let cut = 0; cut < batch.length; cut++) {
    const check = inspectBatch(batch, 0, cut)
    assert.ok(!check.ok && check.incomplete, `cut at ${cut}`)
    assert.throws(
      () => validateBatch(batch.subarray(0, cut)),
      (error: unknown) => isWeirError(error, 'CORRUPT_MESSAGE'),
    )
  }
})

test('trailing bytes after a batch are rejected by validateBatch', () => {
  const batch = encodeRecordBatch([{ value: text('x') }], { timestamp: 1 })
  assert.throws(
    () => validateBatch(Buffer.concat([batch, Buffer.alloc(3)])),
    (error: unknown) => isWeirError(error, 'CORRUPT_MESSAGE') && /3 bytes|header says/.test(error.message),
  )
})

test('an unknown magic or more records than offsets is INVALID_RECORD; a too-short length is CORRUPT_MESSAGE', () => {
  const batch = encodeRecordBatch([{ value: text('x') }], { timestamp: 1 })
  const badMagic = Buffer.from(batch)
  badMagic[BatchField.magic] = 7
  const magicCheck = inspectBatch(badMagic, 0, badMagic.length)
  assert.ok(!magicCheck.ok && magicCheck.code === 'INVALID_RECORD')
  assert.match(magicCheck.reason, /magic 7/)

  const tooMany = Buffer.from(batch)
  tooMany.writeUInt32BE(2, BatchField.recordCount)
  tooMany.writeUInt32BE(computeBatchCrc(tooMany, 0, tooMany.length), BatchField.crc)
  const tooManyCheck = inspectBatch(tooMany, 0, tooMany.length)
  assert.ok(!tooManyCheck.ok && tooManyCheck.code === 'INVALID_RECORD')
  assert.throws(
    () => validateBatch(tooMany),
    (error: unknown) => isWeirError(error, 'INVALID_RECORD') && !error.retriable,
  )

  // The log cleaner of a compacted topic leaves batches with fewer records than offsets, even none
  // (Produce still refuses those: checkBatchRecords).
  const emptied = Buffer.from(batch.subarray(0, BatchField.records))
  emptied.writeUInt32BE(emptied.length - 12, BatchField.batchLength)
  emptied.writeUInt32BE(0, BatchField.recordCount)
  emptied.writeUInt32BE(computeBatchCrc(emptied, 0, emptied.length), BatchField.crc)
  assert.ok(inspectBatch(emptied, 0, emptied.length).ok)
  assert.equal(decodeRecordBatch(emptied).records, [])

  const shortLength = Buffer.from(batch)
  shortLength.writeUInt32BE(10, BatchField.batchLength)
  const check = inspectBatch(shortLength, 0, shortLength.length)
  assert.ok(!check.ok && !check.incomplete && check.code === 'CORRUPT_MESSAGE')
})

test('a recordCount damaged on the way is CORRUPT_MESSAGE: the CRC is checked before the fields it covers', () => {
  const batch = encodeRecordBatch([{ value: text('x') }], { timestamp: 1 })
  batch.writeUInt32BE(5, BatchField.recordCount)
  const check = inspectBatch(batch, 0, batch.length)
  assert.ok(!check.ok && check.code === 'CORRUPT_MESSAGE', JSON.stringify(check))
  assert.match((check as { reason: string }).reason, /CRC mismatch/)
})

test('an unknown compression codec behind a valid CRC is INVALID_RECORD', () => {
  const batch = encodeRecordBatch([{ value: text('x') }], { timestamp: 1 })
  batch.writeUInt16BE(0b111, BatchField.attributes)
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BatchField.crc)
  assert.throws(
    () => decodeRecordBatch(batch),
    (error: unknown) => isWeirError(error, 'INVALID_RECORD') && /codec 7/.test(error.message),
  )
})

test('a record whose length points past the batch end is a typed error, not a crash', () => {
  const batch = encodeRecordBatch([{ value: text('abc') }], { timestamp: 1 })
  batch[batchHeaderBytes] = 0x7e // record length 63: far past the end
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BatchField.crc)
  assert.throws(
    () => decodeRecordBatch(batch),
    (error: unknown) => isWeirError(error, 'INVALID_RECORD'),
  )
})

test('batchSizeAt, offsetCountAt and lastOffsetAt read the batch at a position, as the header says', () => {
  const first = encodeRecordBatch([{ value: text('a') }], { timestamp: 1, baseOffset: 7 })
  const second = encodeRecordBatch([{ value: text('b') }, { value: text('c') }, { value: text('d') }], {
    timestamp: 1,
    baseOffset: 2 ** 40,
  })
  const both = Buffer.concat([first, second])
  assert.is(batchSizeAt(both), first.length)
  assert.is(batchSizeAt(both, first.length), second.length)
  assert.is(offsetCountAt(both), 1)
  assert.is(offsetCountAt(both, first.length), 3)
  assert.is(lastOffsetAt(both), 7)
  assert.is(lastOffsetAt(both, first.length), 2 ** 40 + 2)
  const header = readBatchHeader(both, first.length)
  assert.is(batchSizeAt(both, first.length), header.batchLength + 12)
})

test('splitBatches cuts concatenated batches apart without copying', () => {
  const first = encodeRecordBatch([{ value: text('a') }], { timestamp: 1 })
  const second = encodeRecordBatch([{ value: text('b') }, { value: text('c') }], { timestamp: 1 })
  const joined = Buffer.concat([first, second])
  const parts = splitBatches(joined)
  assert.is(parts.length, 2)
  assert.is(parts[1]!.buffer, joined.buffer)
  assert.is(readBatchHeader(parts[1]!).recordCount, 2)
  assert.throws(() => splitBatches(joined.subarray(0, joined.length - 1)), /CRC|remain/)
})

test('an empty batch cannot be built', () => {
  assert.throws(() => encodeRecordBatch([], { timestamp: 1 }), /at least one record/)
})

test('RecordBatchBuilder grows from a tiny buffer and builds the same bytes as encodeRecordBatch', () => {
  const records = Array.from({ length: 300 }, (_, index) => ({
    key: index % 3 === 0 ? null : Buffer.from(`key-${index}`),
    value: Buffer.alloc(index % 50, index),
    headers: index % 7 === 0 ? [{ key: 'h', value: Buffer.from('x') }] : [],
    timestamp: 1_700_000_000_000 + (index % 11),
  }))
  const builder = new RecordBatchBuilder(1)
  for (const record of records) builder.append(record, record.timestamp)
  assert.is(builder.recordCount, 300)
  const built = builder.build({ producerId: 7 })
  assert.is(builder.sizeBytes, built.length)
  assert.ok(built.equals(encodeRecordBatch(records, { timestamp: 0, producerId: 7 })))
  const decoded = decodeRecordBatch(built)
  assert.is(decoded.records.length, 300)
  assert.is(decoded.header.maxTimestamp, 1_700_000_000_010)
})

test.run()
