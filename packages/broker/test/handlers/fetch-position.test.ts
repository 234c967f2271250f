// Proves a Fetch offset between the high watermark and the log end (a new leader that has not yet
// committed in its term) waits for records instead of answering OFFSET_OUT_OF_RANGE.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fetchPosition } from '../../src/handlers/fetch-position.js'

test('below the log start or past the log end is out of range', () => {
  assert.is(fetchPosition(4, 5, 20, 30), 'out-of-range')
  assert.is(fetchPosition(31, 5, 20, 30), 'out-of-range')
})

test('between the high watermark and the log end there is nothing yet, not an error', () => {
  assert.is(fetchPosition(20, 5, 20, 30), 'nothing-yet')
  assert.is(fetchPosition(25, 5, 20, 30), 'nothing-yet')
  assert.is(fetchPosition(30, 5, 20, 30), 'nothing-yet')
})

test('from the log start to below the high watermark is readable', () => {
  assert.is(fetchPosition(5, 5, 20, 30), 'readable')
  assert.is(fetchPosition(19, 5, 20, 30), 'readable')
})

test.run()
