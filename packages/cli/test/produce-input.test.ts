// Proves produce's input parsing: -H key=value headers, -K splitting a line at the first delimiter, and --timestamp as ms or ISO.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../src/flags.js'
import { parseHeaders, parseTimestampFlag, splitLine } from '../src/produce-input.js'

test('headers split at the first =', () => {
  assert.is(parseHeaders(undefined), undefined)
  assert.equal(parseHeaders(['trace=abc', 'query=a=b', 'empty=']), { trace: 'abc', query: 'a=b', empty: '' })
  for (const bad of ['novalue', '=x'])
    assert.throws(
      () => parseHeaders([bad]),
      (error: Error) => error instanceof UsageError && /key=value/.test(error.message),
    )
})

test('a line splits at the first delimiter; without it the default key applies', () => {
  assert.equal(splitLine('k1:v:1', ':', undefined), { key: 'k1', value: 'v:1' })
  assert.equal(splitLine('k1::v', '::', undefined), { key: 'k1', value: 'v' })
  assert.equal(splitLine('no delimiter', ':', 'fallback'), { key: 'fallback', value: 'no delimiter' })
  assert.equal(splitLine('a:b', undefined, undefined), { key: undefined, value: 'a:b' })
})

test('--timestamp takes ms or an ISO datetime', () => {
  assert.is(parseTimestampFlag(undefined), undefined)
  assert.is(parseTimestampFlag('1700000000000'), 1_700_000_000_000)
  assert.is(parseTimestampFlag('2023-11-14T22:13:20Z'), 1_700_000_000_000)
  for (const bad of ['-1', 'now', '1.5'])
    assert.throws(
      () => parseTimestampFlag(bad),
      (error: Error) => error instanceof UsageError,
      bad,
    )
})

test.run()
