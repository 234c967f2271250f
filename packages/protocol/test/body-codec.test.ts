// Proves decodeBody refuses msgpackr's structured-clone references: 13 bytes decode to an array
// that holds itself, and the check for foreign values once walked it forever (a one-frame hang).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeBody, encodeBody } from '../src/body-codec.js'
import { isWeirError } from '../src/weir-error.js'

test('an array that holds itself is INVALID_REQUEST, at once', () => {
  const cyclic = Buffer.from('d6690000000191d67000000001', 'hex')
  try {
    decodeBody(cyclic, 'Metadata request')
    assert.unreachable('a self-referencing body was accepted')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_REQUEST'), String(error))
    assert.match((error as Error).message, /reference to an object it already holds/)
  }
})

test('ordinary nested bodies still decode', () => {
  const body = { topics: [{ name: 'a', partitions: [{ partition: 0 }, { partition: 1 }] }], empty: {} }
  assert.equal(decodeBody(encodeBody(body), 'x'), body)
})

test.run()
