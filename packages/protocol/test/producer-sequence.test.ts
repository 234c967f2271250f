// Proves idempotent-producer sequences wrap from 2^31 - 1 to 0 the same way for every caller.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { lastSequenceOf, sequenceAfter, sequenceModulus } from '../src/index.js'

test('sequences advance by record count and wrap at 2^31', () => {
  assert.is(sequenceAfter(0, 5), 5)
  assert.is(lastSequenceOf(0, 5), 4)
  assert.is(lastSequenceOf(7, 1), 7)
  assert.is(sequenceAfter(sequenceModulus - 1, 1), 0)
  assert.is(sequenceAfter(sequenceModulus - 3, 5), 2)
  assert.is(lastSequenceOf(sequenceModulus - 2, 4), 1)
})

test.run()
