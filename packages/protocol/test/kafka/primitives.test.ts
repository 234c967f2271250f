// Proves the Kafka primitive reader and writer agree with each other for every value (fast-check),
// match the protocol guide's bytes, and turn truncated or oversized input into INVALID_REQUEST.
import * as fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isWeirError, Kafka } from '../../src/index.js'

function invalid(read: () => unknown, pattern?: RegExp): void {
  try {
    read()
    assert.unreachable('expected INVALID_REQUEST')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_REQUEST'), String(error))
    if (pattern) assert.match((error as Error).message, pattern)
  }
}

const reader = (hex: string) => new Kafka.KafkaReader(Buffer.from(hex, 'hex'))

test('golden bytes: unsigned varints, zig-zag varlongs, compact and classic strings', () => {
  assert.is(new Kafka.KafkaWriter().unsignedVarint(300).finish().toString('hex'), 'ac02')
  assert.is(
    new Kafka.KafkaWriter()
      .unsignedVarint(2 ** 32 - 1)
      .finish()
      .toString('hex'),
    'ffffffff0f',
  )
  assert.is(new Kafka.KafkaWriter().varlong(-1).finish().toString('hex'), '01')
  assert.is(new Kafka.KafkaWriter().varlong(-64).finish().toString('hex'), '7f')
  assert.is(new Kafka.KafkaWriter().varlong(64).finish().toString('hex'), '8001')
  assert.is(new Kafka.KafkaWriter().compactNullableString('hi').finish().toString('hex'), '036869')
  assert.is(new Kafka.KafkaWriter().compactNullableString(null).finish().toString('hex'), '00')
  assert.is(new Kafka.KafkaWriter().nullableString(null).finish().toString('hex'), 'ffff')
  assert.is(new Kafka.KafkaWriter().nullableBytes(null).finish().toString('hex'), 'ffffffff')
  assert.is(new Kafka.KafkaWriter().compactArrayLength(2).finish().toString('hex'), '03')
  assert.is(new Kafka.KafkaWriter().int64(-2).finish().toString('hex'), 'fffffffffffffffe')
  assert.is(reader('ac02').unsignedVarint(), 300)
  assert.is(reader('fffffffffffffffe').int64(), -2)
  // The extremes of the safe range, whose zig-zag forms pass 2^53.
  for (const value of [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 52, -(2 ** 52) - 1]) {
    assert.is(new Kafka.KafkaReader(new Kafka.KafkaWriter().varlong(value).finish()).varlong(), value)
  }
})

test('every primitive round-trips (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -128, max: 127 }),
      fc.integer({ min: -32768, max: 32767 }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.maxSafeInteger(),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      fc.maxSafeInteger(),
      fc.option(fc.string({ unit: 'grapheme', maxLength: 40 }), { nil: null }),
      fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      (int8, int16, int32, int64, unsigned, varlong, text, bytes, uuid) => {
        const uuidHex = Buffer.from(uuid).toString('hex')
        const written = new Kafka.KafkaWriter(1)
          .int8(int8)
          .int16(int16)
          .int32(int32)
          .int64(int64)
          .unsignedVarint(unsigned)
          .varlong(varlong)
          .nullableString(text)
          .compactNullableString(text)
          .nullableBytes(bytes)
          .compactNullableBytes(bytes)
          .uuid(uuidHex)
          .finish()
        const read = new Kafka.KafkaReader(written)
        assert.is(read.int8(), int8)
        assert.is(read.int16(), int16)
        assert.is(read.int32(), int32)
        assert.is(read.int64(), int64)
        assert.is(read.unsignedVarint(), unsigned)
        assert.is(read.varlong(), varlong)
        assert.is(read.nullableString(), text)
        assert.is(read.compactNullableString(), text)
        const expectedBytes = bytes === null ? null : Buffer.from(bytes).toString('hex')
        assert.is(read.nullableBytes()?.toString('hex') ?? null, expectedBytes)
        assert.is(read.compactNullableBytes()?.toString('hex') ?? null, expectedBytes)
        assert.is(read.uuid(), uuidHex)
        assert.is(read.remaining, 0)
        // Every strict prefix is cut off somewhere: INVALID_REQUEST, never a RangeError.
        const cut = Math.floor(written.length / 2)
        const short = new Kafka.KafkaReader(written.subarray(0, cut))
        invalid(() => {
          short.int8()
          short.int16()
          short.int32()
          short.int64()
          short.unsignedVarint()
          short.varlong()
          short.nullableString()
          short.compactNullableString()
          short.nullableBytes()
          short.compactNullableBytes()
          short.uuid()
        })
      },
    ),
  )
})

test('large byte fields kept as views and buffer growth between them keep every byte (property)', () => {
  const item = fc.oneof(
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    fc.integer({ min: 0, max: 9000 }).map((length) => Buffer.alloc(length, length % 251)),
  )
  fc.assert(
    fc.property(fc.array(item, { maxLength: 12 }), fc.boolean(), (items, compact) => {
      const writer = new Kafka.KafkaWriter(1)
      for (const value of items) {
        if (typeof value === 'number') writer.int32(value)
        else if (compact) writer.compactNullableBytes(value)
        else writer.nullableBytes(value)
      }
      const parts = writer.finishParts()
      const joined = Buffer.concat(parts)
      assert.is(writer.finish().toString('hex'), joined.toString('hex'))
      const read = new Kafka.KafkaReader(joined)
      for (const value of items) {
        if (typeof value === 'number') assert.is(read.int32(), value)
        else {
          const bytes = compact ? read.compactNullableBytes() : read.nullableBytes()
          assert.ok(bytes?.equals(value))
        }
      }
      assert.is(read.remaining, 0)
    }),
    { numRuns: 60 },
  )
})

test('a reader never reads past its end, even inside a larger buffer', () => {
  const buffer = Buffer.from('0005616263646566', 'hex')
  invalid(() => new Kafka.KafkaReader(buffer, 0, 4).nullableString(), /wanted string/)
  assert.is(new Kafka.KafkaReader(buffer, 0, 7).nullableString(), 'abcde')
})

test('oversized and malformed lengths are INVALID_REQUEST before any allocation', () => {
  invalid(() => reader('7fffffff00').arrayLength(), /array of 2147483647 elements/)
  invalid(() => reader('ffffff7f').compactArrayLength(), /elements/)
  invalid(() => reader('fffffffe').arrayLength(), /array length -2/)
  invalid(() => reader('fffe').nullableString(), /string length -2/)
  invalid(() => reader('7fffffff').nullableBytes(), /wanted bytes \(2147483647 bytes\)/)
  invalid(() => reader('ffffffffff01').unsignedVarint(), /longer than 5 bytes|exceeds 32 bits/)
  invalid(() => reader('ffffffff1f').unsignedVarint(), /exceeds 32 bits/)
  invalid(() => reader('ffffffffffffffffffff01').varlong(), /longer than 10 bytes/)
  invalid(() => reader('7fffffffffffffff').int64(), /safe integer/)
})

test('tagged fields: unknown ones are skipped, out-of-order or runaway ones refused', () => {
  const tagged = reader('02' + '00' + '02abcd' + '05' + '00' + 'ee')
  tagged.skipTaggedFields()
  assert.is(tagged.int8(), -18)
  invalid(() => reader('020100' + '0100').skipTaggedFields(), /out of order/)
  invalid(() => reader('e907').skipTaggedFields(), /1001 tagged fields/)
  invalid(() => reader('01' + '00' + '05ab').skipTaggedFields(), /tagged field 0/)
})

test.run()
