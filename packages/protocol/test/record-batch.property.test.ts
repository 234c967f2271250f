// Property: any list of records survives encode → decode unchanged, with and without compression.
import * as fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeRecordBatch, encodeRecordBatch, type RecordInput, validateBatch } from '../src/index.js'

const plainObjects = { noNullPrototype: true } as const
const bytes = fc.uint8Array({ maxLength: 300 }).map((array) => Buffer.from(array))
const record: fc.Arbitrary<RecordInput> = fc.record(
  {
    key: fc.option(bytes, { nil: null }),
    value: fc.option(bytes, { nil: null }),
    headers: fc.array(
      fc.record(
        { key: fc.string({ unit: 'grapheme' }), value: fc.option(bytes, { nil: null }) },
        plainObjects,
      ),
      { maxLength: 4 },
    ),
    timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  },
  plainObjects,
)

test('encode → decode returns exactly the records given', () => {
  fc.assert(
    fc.property(
      fc.array(record, { minLength: 1, maxLength: 30 }),
      fc.constantFrom('none' as const, 'gzip' as const, 'snappy' as const, 'lz4' as const, 'zstd' as const),
      fc.integer({ min: 0, max: 2 ** 50 }),
      (records, compression, baseOffset) => {
        const batch = encodeRecordBatch(records, { timestamp: 0, baseOffset, compression })
        const header = validateBatch(batch)
        assert.is(header.recordCount, records.length)
        assert.is(header.maxTimestamp, Math.max(...records.map((entry) => entry.timestamp!)))
        const decoded = decodeRecordBatch(batch).records
        decoded.forEach((entry, index) => {
          const original = records[index]!
          assert.is(entry.offset, baseOffset + index)
          assert.is(entry.timestamp, original.timestamp)
          assert.equal(entry.key, original.key)
          assert.equal(entry.value, original.value)
          assert.equal(entry.headers, original.headers)
        })
      },
    ),
    { numRuns: 300 },
  )
})

test.run()
