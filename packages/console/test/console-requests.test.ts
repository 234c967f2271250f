// Proves the API's input checks: browse queries and produce bodies are parsed, and bad ones refused with INVALID_CONSOLE_REQUEST naming the field.
import { codecs, isWeirError } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { browseLimitDefault, parseBrowseQuery, parseProduceBody } from '../src/console-requests.js'

function refused(run: () => unknown, pattern: RegExp): void {
  try {
    run()
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_CONSOLE_REQUEST'), String(error))
    assert.match((error as Error).message, pattern)
    return
  }
  assert.unreachable('accepted')
}

test('a browse query defaults to partition 0 from offset 0, 20 messages, msgpack', () => {
  assert.equal(parseBrowseQuery(new URLSearchParams()), {
    partition: 0,
    from: { offset: 0 },
    limit: browseLimitDefault,
    format: 'msgpack',
  })
})

test('a browse query by offset, or by time in ms or ISO 8601', () => {
  const byOffset = parseBrowseQuery(new URLSearchParams('partition=2&offset=15&limit=5&format=hex'))
  assert.equal(byOffset, { partition: 2, from: { offset: 15 }, limit: 5, format: 'hex' })
  assert.equal(parseBrowseQuery(new URLSearchParams('timestamp=1700000000000')).from, {
    timestamp: 1_700_000_000_000,
  })
  assert.equal(parseBrowseQuery(new URLSearchParams('timestamp=2026-12-04T10:00:00Z')).from, {
    timestamp: Date.UTC(2026, 11, 4, 10),
  })
})

test('bad browse queries are refused naming the parameter', () => {
  refused(() => parseBrowseQuery(new URLSearchParams('partition=-1')), /^partition must be an integer from 0/)
  refused(() => parseBrowseQuery(new URLSearchParams('offset=1.5')), /^offset must be an integer/)
  refused(() => parseBrowseQuery(new URLSearchParams('limit=501')), /^limit must be an integer from 1 to 500/)
  refused(() => parseBrowseQuery(new URLSearchParams('format=xml')), /^format must be one of json, msgpack/)
  refused(() => parseBrowseQuery(new URLSearchParams('timestamp=yesterday')), /^timestamp must be ms/)
  refused(
    () => parseBrowseQuery(new URLSearchParams('offset=1&timestamp=1')),
    /offset or timestamp, not both/,
  )
})

test('a produce body encodes its value as text, JSON or msgpack, with key and headers', () => {
  assert.equal(parseProduceBody({ key: 'k', value: 'hi', headers: { h: 'v' } }), {
    key: 'k',
    value: Buffer.from('hi'),
    headers: { h: 'v' },
  })
  assert.equal(parseProduceBody({ value: ' {"a": 1} ', format: 'json', partition: 3 }), {
    partition: 3,
    key: null,
    value: Buffer.from('{"a":1}'),
    headers: {},
  })
  const packed = parseProduceBody({ value: '{"a": [1]}', format: 'msgpack' }).value
  assert.equal(codecs.msgpack.decode(packed), { a: [1] })
})

test('bad produce bodies are refused naming the field', () => {
  refused(() => parseProduceBody([]), /must be a JSON object/)
  refused(() => parseProduceBody({}), /^value must be a string/)
  refused(() => parseProduceBody({ value: 'x', key: 5 }), /^key must be a string/)
  refused(() => parseProduceBody({ value: 'x', partition: -2 }), /^partition must be an integer >= 0/)
  refused(
    () => parseProduceBody({ value: 'x', format: 'avro' }),
    /^format must be one of text, json, msgpack/,
  )
  refused(() => parseProduceBody({ value: '{', format: 'json' }), /^value is not JSON/)
  refused(() => parseProduceBody({ value: 'x', headers: { h: 1 } }), /header "h" must have a text value/)
})

test.run()
