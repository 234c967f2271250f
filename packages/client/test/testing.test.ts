// Proves the group consumer's crash seam is reachable from @weir/client/testing only, not from the public entry point.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as client from '../src/index.js'
import * as testing from '../src/testing.js'

test('crash is not part of the public API; crashGroupConsumer is in the testing entry point', () => {
  assert.is('crash' in client.GroupConsumer.prototype, false)
  assert.is('crashForTests' in client, false)
  assert.is(typeof testing.crashGroupConsumer, 'function')
})

test.run()
