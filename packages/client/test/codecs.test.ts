// Proves each built-in codec round-trips its values and rejects bytes or values it cannot handle with typed errors.
import { isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { codecs, defineTopic } from '../src/index.js'

test('msgpack round-trips nested values, binary and large integers', () => {
  const value = {
    total: 12,
    items: ['a', 'b'],
    nested: { ok: true, n: null },
    bytes: Buffer.from([1, 2]),
    big: 2 ** 40,
  }
  const decoded = codecs.msgpack.decode<typeof value>(codecs.msgpack.encode(value))
  assert.equal(decoded.items, value.items)
  assert.equal(decoded.nested, value.nested)
  assert.is(decoded.big, 2 ** 40)
  assert.equal(Buffer.from(decoded.bytes), value.bytes)
})

test('msgpack writes plain maps, readable by any msgpack decoder (no records extension)', () => {
  const bytes = codecs.msgpack.encode({ a: 1 })
  assert.equal([...bytes], [0x81, 0xa1, 0x61, 0x01])
})

test('json, string and raw round-trip', () => {
  assert.equal(codecs.json.decode(codecs.json.encode({ x: [1, 'y'] })), { x: [1, 'y'] })
  assert.is(codecs.json.encode({ x: 1 }).toString(), '{"x":1}')
  assert.is(codecs.string.decode(codecs.string.encode('héllo ✓')), 'héllo ✓')
  const raw = Buffer.from([0, 255, 7])
  assert.is(codecs.raw.decode(codecs.raw.encode(raw)), raw)
  assert.equal(codecs.raw.encode(new Uint8Array([9, 8]) as Buffer), Buffer.from([9, 8]))
})

test('bad bytes and wrong value types are typed errors', () => {
  assert.throws(
    () => codecs.json.decode(Buffer.from('{nope')),
    (error: unknown) => isWeirError(error, 'CORRUPT_MESSAGE'),
  )
  assert.throws(
    () => codecs.msgpack.decode(Buffer.from([0x92, 0x01])),
    (error: unknown) => isWeirError(error, 'CORRUPT_MESSAGE'),
  )
  assert.throws(
    () => codecs.string.encode(42 as unknown as string),
    (error: unknown) => isWeirError(error, 'INVALID_REQUEST'),
  )
  assert.throws(
    () => codecs.raw.encode('text' as unknown as Buffer),
    (error: unknown) => isWeirError(error, 'INVALID_REQUEST'),
  )
  assert.throws(
    () => codecs.json.encode(undefined),
    (error: unknown) => isWeirError(error, 'INVALID_REQUEST'),
  )
})

test('defineTopic defaults to msgpack and keeps a given codec', () => {
  interface Order {
    total: number
  }
  const orders = defineTopic<Order>({ name: 'orders', codec: codecs.json })
  assert.is(orders.codec.name, 'json')
  assert.is(defineTopic<Order>({ name: 'o' }).codec.name, 'msgpack')
  const total: number = orders.codec.decode(orders.codec.encode({ total: 3 })).total
  assert.is(total, 3)
})

test.run()
