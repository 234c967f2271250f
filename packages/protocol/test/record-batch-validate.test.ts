// Proves checkBatchRecords refuses each poison batch whose CRC holds (false counts, bad varints, lengths that disagree, unknown codecs, gzip bombs) by name, and that whatever it accepts every consumer can decode.
import { gzipSync } from 'node:zlib'
import * as fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  BatchField,
  batchHeaderBytes,
  batchLengthPrefixBytes,
  Compression,
  checkBatchRecords,
  compress,
  computeBatchCrc,
  decodeRecordBatch,
  encodeRecordBatch,
  isWeirError,
  type RecordInput,
  writeVarint,
} from '../src/index.js'

const mebibyte = 1024 * 1024
const text = (value: string) => Buffer.from(value, 'utf8')
const records: RecordInput[] = [
  { key: text('k0'), value: text('v0') },
  { key: null, value: null, headers: [{ key: 'h', value: text('x') }] },
  { key: text('k2'), value: text('value two') },
]

/** Puts `section` under a copy of `batch`'s header, with the counts and CRC made to match. */
function withSection(
  batch: Buffer,
  section: Buffer,
  { recordCount = batch.readUInt32BE(BatchField.recordCount), codec = 0 } = {},
): Buffer {
  const result = Buffer.concat([batch.subarray(0, batchHeaderBytes), section])
  result.writeUInt32BE(result.length - batchLengthPrefixBytes, BatchField.batchLength)
  result.writeUInt16BE(codec, BatchField.attributes)
  result.writeUInt32BE(recordCount, BatchField.recordCount)
  result.writeUInt32BE(Math.max(recordCount - 1, 0), BatchField.lastOffsetDelta)
  return withCrc(result)
}

function withCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BatchField.crc)
  return batch
}

function sectionOf(batch: Buffer): Buffer {
  return Buffer.from(batch.subarray(batchHeaderBytes))
}

function varints(...values: number[]): Buffer {
  const bytes = Buffer.alloc(values.length * 9)
  let position = 0
  for (const value of values) position = writeVarint(bytes, position, value)
  return bytes.subarray(0, position)
}

/** One record's bytes from its fields: attributes, timestampDelta, offsetDelta, then `rest`. */
function rawRecord(offsetDelta: number, rest: Buffer, length?: number): Buffer {
  const body = Buffer.concat([Buffer.from([0]), varints(0, offsetDelta), rest])
  return Buffer.concat([varints(length ?? body.length), body])
}

// key "k", value "v", no headers
const plainFields = Buffer.concat([varints(1), text('k'), varints(1), text('v'), varints(0)])

function refused(batch: Buffer, code: string, pattern: RegExp, batchBytesMax = mebibyte): void {
  try {
    checkBatchRecords(batch, batchBytesMax, 'batch 0')
  } catch (error) {
    assert.ok(isWeirError(error), `a WeirError, got ${String(error)}`)
    assert.is(error.code, code)
    assert.match(error.message, /^batch 0: /)
    assert.match(error.message, pattern)
    return
  }
  assert.unreachable(`the batch was accepted; expected ${code} matching ${pattern}`)
}

test('a well-formed batch passes, plain and gzip, with headers and null keys and values', () => {
  checkBatchRecords(encodeRecordBatch(records, { timestamp: 1000 }), mebibyte)
  checkBatchRecords(encodeRecordBatch(records, { timestamp: 1000, compression: 'gzip' }), mebibyte)
})

test('a recordCount above the records present is refused', () => {
  const batch = encodeRecordBatch(records, { timestamp: 1000 })
  refused(withSection(batch, sectionOf(batch), { recordCount: 4 }), 'INVALID_RECORD', /record 3|cannot fit/)
  // Enough bytes to fit the count on paper, but the fourth record is not there.
  const padded = Buffer.concat([sectionOf(batch), Buffer.alloc(10)])
  refused(withSection(batch, padded, { recordCount: 4 }), 'INVALID_RECORD', /record 3/)
})

test('a recordCount below the records present is refused: bytes follow the last record', () => {
  const batch = encodeRecordBatch(records, { timestamp: 1000 })
  refused(withSection(batch, sectionOf(batch), { recordCount: 2 }), 'INVALID_RECORD', /bytes follow the last/)
})

test('a batch claiming 2^32-1 records (burning the offset space) is refused before any walk', () => {
  const batch = encodeRecordBatch(records, { timestamp: 1000 })
  refused(
    withSection(batch, sectionOf(batch), { recordCount: 2 ** 32 - 1 }),
    'INVALID_RECORD',
    /recordCount 4294967295 is outside 1 to 1000000/,
  )
})

test('recordCount 0 and a lastOffsetDelta other than recordCount - 1 are refused', () => {
  const batch = encodeRecordBatch(records, { timestamp: 1000 })
  refused(withSection(batch, Buffer.alloc(0), { recordCount: 0 }), 'INVALID_RECORD', /recordCount 0/)
  const skewed = Buffer.from(batch)
  skewed.writeUInt32BE(5, BatchField.lastOffsetDelta)
  refused(withCrc(skewed), 'INVALID_RECORD', /lastOffsetDelta 5/)
})

test('a varint longer than 8 bytes is refused', () => {
  const batch = encodeRecordBatch([records[0]!], { timestamp: 1000 })
  const longVarint = Buffer.from([0x18, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0])
  refused(withSection(batch, longVarint), 'INVALID_RECORD', /timestampDelta varint longer than 8/)
})

test("a record length that disagrees with the record's fields is refused, both ways", () => {
  const batch = encodeRecordBatch([records[0]!], { timestamp: 1000 })
  const honest = rawRecord(0, plainFields)
  const tooShort = rawRecord(0, plainFields, honest.length - 3)
  refused(
    withSection(batch, Buffer.concat([tooShort, Buffer.alloc(2)])),
    'INVALID_RECORD',
    /runs past|ends inside/,
  )
  const tooLong = rawRecord(0, Buffer.concat([plainFields, Buffer.alloc(4)]))
  refused(withSection(batch, tooLong), 'INVALID_RECORD', /declares 12 bytes but its fields take 8/)
  const pastSection = rawRecord(0, plainFields, 200)
  refused(withSection(batch, pastSection), 'INVALID_RECORD', /claims 200 bytes/)
})

test('negative key, value and header lengths are refused', () => {
  const batch = encodeRecordBatch([records[0]!], { timestamp: 1000 })
  const negativeKey = rawRecord(0, Buffer.concat([varints(-5, -1, 0)]))
  refused(withSection(batch, negativeKey), 'INVALID_RECORD', /key length -5/)
  const negativeHeaders = rawRecord(0, varints(-1, -1, -2))
  refused(withSection(batch, negativeHeaders), 'INVALID_RECORD', /negative header count/)
  const nullHeaderKey = rawRecord(0, varints(-1, -1, 1, -1, -1))
  refused(withSection(batch, nullHeaderKey), 'INVALID_RECORD', /header 0 has key length -1/)
})

test('offset deltas must run 0, 1, 2, …', () => {
  const batch = encodeRecordBatch(records.slice(0, 2), { timestamp: 1000 })
  const section = Buffer.concat([rawRecord(0, plainFields), rawRecord(0, plainFields)])
  refused(withSection(batch, section), 'INVALID_RECORD', /record 1 has offsetDelta 0/)
})

test('an unknown codec and a gzip section that does not inflate are refused', () => {
  const batch = encodeRecordBatch(records, { timestamp: 1000 })
  refused(withSection(batch, sectionOf(batch), { codec: 5 }), 'INVALID_RECORD', /codec 5 is unknown/)
  refused(withSection(batch, sectionOf(batch), { codec: 1 }), 'INVALID_RECORD', /does not inflate/)
})

test('a gzip bomb is refused as MESSAGE_TOO_LARGE against the decompressed size, without inflating it whole', () => {
  const batch = encodeRecordBatch([records[0]!], { timestamp: 1000 })
  const bomb = gzipSync(Buffer.alloc(256 * mebibyte))
  assert.ok(bomb.length < mebibyte, `the bomb is small on the wire (${bomb.length} bytes)`)
  const before = process.memoryUsage().arrayBuffers
  refused(withSection(batch, bomb, { codec: 1 }), 'MESSAGE_TOO_LARGE', /inflate past/, mebibyte)
  const grownBytes = process.memoryUsage().arrayBuffers - before
  assert.ok(grownBytes < 64 * mebibyte, `inflating stopped at the cap (grew ${grownBytes} bytes)`)
  // A batch within the cap once inflated passes.
  const fits = gzipSync(sectionOf(encodeRecordBatch(records, { timestamp: 1000 })))
  checkBatchRecords(withSection(batch, fits, { codec: 1, recordCount: 3 }), mebibyte)
})

test('snappy, lz4 and zstd batches pass; their bombs are MESSAGE_TOO_LARGE and their garbage INVALID_RECORD', () => {
  const batch = encodeRecordBatch([records[0]!], { timestamp: 1000 })
  const bombSection = Buffer.alloc(64 * mebibyte)
  for (const codec of ['snappy', 'lz4', 'zstd'] as const) {
    checkBatchRecords(encodeRecordBatch(records, { timestamp: 1000, compression: codec }), mebibyte)
    const code = Compression[codec]
    refused(
      withSection(batch, compress(codec, bombSection), { codec: code }),
      'MESSAGE_TOO_LARGE',
      /inflate past/,
    )
    refused(withSection(batch, sectionOf(batch), { codec: code }), 'INVALID_RECORD', /does not inflate/)
  }
})

const bytes = fc.uint8Array({ maxLength: 40 }).map((array) => Buffer.from(array))
const record: fc.Arbitrary<RecordInput> = fc.record(
  {
    key: fc.option(bytes, { nil: null }),
    value: fc.option(bytes, { nil: null }),
    headers: fc.array(fc.record({ key: fc.string(), value: fc.option(bytes, { nil: null }) }), {
      maxLength: 2,
    }),
  },
  { noNullPrototype: true },
)

test('property: every encoded batch passes, and any mutated batch that passes decodes', () => {
  fc.assert(
    fc.property(
      fc.array(record, { minLength: 1, maxLength: 8 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.integer({ min: -1, max: 1 }),
      (input, flips, countShift) => {
        const batch = encodeRecordBatch(input, { timestamp: 0 })
        checkBatchRecords(batch, mebibyte)
        const section = sectionOf(batch)
        for (const [at, byte] of flips) if (section.length > 0) section[at % section.length] = byte
        const mutated = withSection(batch, section, { recordCount: input.length + countShift })
        let accepted = true
        try {
          checkBatchRecords(mutated, mebibyte)
        } catch (error) {
          if (!isWeirError(error) || error.code !== 'INVALID_RECORD') throw error
          accepted = false
        }
        if (accepted) assert.is(decodeRecordBatch(mutated).records.length, input.length + countShift)
      },
    ),
    { numRuns: 2000 },
  )
})

test.run()
