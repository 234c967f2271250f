// Proves the browser's value formats: JSON and msgpack decode (or say why not), text and hex show the bytes, long values are cut.
import { codecs } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { displayBytesMax, formatBytes } from '../src/value-format.js'

test('msgpack values decode to indented JSON', () => {
  const bytes = codecs.msgpack.encode({ id: 7, tags: ['a'] })
  assert.equal(formatBytes(bytes, 'msgpack'), {
    bytes: bytes.length,
    truncated: false,
    text: '{\n  "id": 7,\n  "tags": [\n    "a"\n  ]\n}',
  })
})

test('msgpack binary and bigints become JSON-safe text', () => {
  const bytes = codecs.msgpack.encode({ raw: Buffer.from([1, 2]) })
  assert.is(formatBytes(bytes, 'msgpack').text, '{\n  "raw": "<2 bytes: 01 02>"\n}')
})

test('json values are parsed and indented; invalid JSON says why and shows hex', () => {
  assert.is(formatBytes(Buffer.from('{"a":1}'), 'json').text, '{\n  "a": 1\n}')
  const bad = formatBytes(Buffer.from('hi'), 'json')
  assert.is(bad.text, '68 69')
  assert.match(bad.error ?? '', /^not json: /)
})

test('bytes that are not msgpack say so instead of failing', () => {
  // An array of two holding one element: the input ends early.
  const bad = formatBytes(Buffer.from([0x92, 0x01]), 'msgpack')
  assert.is(bad.text, '92 01')
  assert.match(bad.error ?? '', /^not msgpack: /)
})

test('text is UTF-8 as is, markup included; hex is spaced bytes', () => {
  const markup = '<img src=x onerror=alert(1)>'
  assert.is(formatBytes(Buffer.from(markup), 'text').text, markup)
  assert.is(formatBytes(Buffer.from([0, 255, 16]), 'hex').text, '00 ff 10')
})

test('null (no key, a tombstone) stays null in every format', () => {
  for (const format of ['json', 'msgpack', 'text', 'hex'] as const)
    assert.equal(formatBytes(null, format), { text: null, bytes: 0, truncated: false })
})

test('values over the display limit are cut and marked', () => {
  const formatted = formatBytes(Buffer.alloc(displayBytesMax + 10, 0x61), 'text')
  assert.is(formatted.text?.length, displayBytesMax)
  assert.is(formatted.truncated, true)
  assert.is(formatted.bytes, displayBytesMax + 10)
})

test.run()
