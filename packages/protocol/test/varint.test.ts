// Proves zig-zag varints match the protobuf/Kafka encoding byte for byte and reject bad input.
import * as fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ByteReader, isWeirError, varintSize, writeVarint } from '../src/index.js'

const golden: Array<[number, number[]]> = [
  [0, [0x00]],
  [-1, [0x01]],
  [1, [0x02]],
  [-64, [0x7f]],
  [63, [0x7e]],
  [64, [0x80, 0x01]],
  [300, [0xd8, 0x04]],
  [2 ** 31 - 1, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
]

test('encodes known values to the protobuf zig-zag bytes', () => {
  for (const [value, bytes] of golden) {
    const buffer = Buffer.alloc(10)
    const end = writeVarint(buffer, 0, value)
    assert.equal([...buffer.subarray(0, end)], bytes, `value ${value}`)
    assert.is(varintSize(value), bytes.length)
  }
})

test('round-trips every safe integer it is given', () => {
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (value) => {
      const buffer = Buffer.alloc(10)
      const end = writeVarint(buffer, 0, value)
      assert.is(end, varintSize(value))
      const reader = new ByteReader(buffer, 0, end)
      assert.is(reader.varint(), value)
      assert.is(reader.position, end)
    }),
  )
})

test('a varint cut short is a typed INVALID_RECORD error', () => {
  const buffer = Buffer.from([0x80, 0x80])
  try {
    new ByteReader(buffer, 0, 2).varint()
    assert.unreachable('should throw')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_RECORD'), String(error))
  }
})

test('a varint of more than 8 bytes is rejected', () => {
  const buffer = Buffer.alloc(12, 0x80)
  assert.throws(
    () => new ByteReader(buffer, 0, 12).varint(),
    (error: unknown) => isWeirError(error, 'INVALID_RECORD'),
  )
})

test('reading bytes past the end is rejected, not sliced short', () => {
  const reader = new ByteReader(Buffer.from([1, 2, 3]), 0, 3)
  assert.throws(
    () => reader.bytes(4),
    (error: unknown) => isWeirError(error, 'INVALID_RECORD'),
  )
})

test.run()
