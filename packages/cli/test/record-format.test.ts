// Proves the key/value formats: typed text becomes the right bytes (json checked, msgpack encoded, hex and base64 decoded), bytes print back the same, and bad input is a usage error naming the message.
import { codecs } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../src/flags.js'
import {
  bytesAsJsonValue,
  encodeText,
  keyValueFormats,
  recordFormats,
  renderBytes,
} from '../src/record-format.js'

test('each format round trips what a user types', () => {
  const typed = {
    text: 'héllo wörld',
    json: '{"a":[1,2,{"b":null}]}',
    msgpack: '{"a":[1,2,{"b":null}]}',
    hex: '00ff10ab',
    base64: 'AP8Qqw==',
  }
  for (const format of recordFormats) {
    const bytes = encodeText(format, typed[format], 'the value')
    assert.is(renderBytes(format, bytes), typed[format], format)
  }
})

test('msgpack stores the msgpack encoding of the JSON typed, readable by the client codec', () => {
  const bytes = encodeText('msgpack', '{"id":7,"tags":["x"]}', 'the value')
  assert.equal(codecs.msgpack.decode(bytes), { id: 7, tags: ['x'] })
  assert.equal(bytesAsJsonValue('msgpack', bytes), { id: 7, tags: ['x'] })
})

test('hex and base64 carry bytes that are not UTF-8', () => {
  assert.equal([...encodeText('hex', 'FF00', 'the key')], [255, 0])
  assert.equal([...encodeText('base64', '/wA=', 'the key')], [255, 0])
  assert.is(renderBytes('hex', Buffer.from([255, 0])), 'ff00')
  assert.is(renderBytes('base64', Buffer.from([255, 0])), '/wA=')
})

test('json prints bytes that are not JSON as a JSON string; msgpack prints bytes that are not msgpack as hex', () => {
  assert.is(renderBytes('json', Buffer.from('plain text')), '"plain text"')
  assert.equal(bytesAsJsonValue('json', Buffer.from('{"a":1}')), { a: 1 })
  assert.is(renderBytes('msgpack', Buffer.from('one')), '{"notMsgpack":"6f6e65"}')
  assert.is(renderBytes('msgpack', codecs.msgpack.encode({ bin: Buffer.from([1, 2]) })), '{"bin":"0102"}')
})

test('null keys and tombstones print empty, and null in JSON', () => {
  for (const format of recordFormats) assert.is(renderBytes(format, null), '')
  assert.is(bytesAsJsonValue('json', null), null)
})

test('bad input is a usage error naming which message and format', () => {
  const cases: [Parameters<typeof encodeText>[0], string, RegExp][] = [
    ['json', '{oops', /the value of message 3 is not JSON/],
    ['msgpack', 'not json', /the value of message 3 is not JSON/],
    ['hex', 'abc', /is not hex/],
    ['hex', 'zz', /is not hex/],
    ['base64', 'a*b=', /is not base64/],
  ]
  for (const [format, text, message] of cases) {
    assert.throws(
      () => encodeText(format, text, 'the value of message 3'),
      (error: Error) => error instanceof UsageError && message.test(error.message),
      `${format} ${text}`,
    )
  }
})

test('--format sets both, --key-format and --value-format override it, text is the default', () => {
  assert.equal(keyValueFormats({}), { key: 'text', value: 'text' })
  assert.equal(keyValueFormats({ format: 'hex' }), { key: 'hex', value: 'hex' })
  assert.equal(keyValueFormats({ format: 'hex', 'key-format': 'text' }), { key: 'text', value: 'hex' })
  assert.equal(keyValueFormats({ 'value-format': 'msgpack' }), { key: 'text', value: 'msgpack' })
  assert.throws(
    () => keyValueFormats({ format: 'avro' }),
    /--format must be one of text, json, msgpack, hex, base64, got "avro"/,
  )
})

test.run()
