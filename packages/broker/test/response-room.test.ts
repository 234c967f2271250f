// Proves a connection's room for Fetch responses: reservations and unsent bytes together never exceed the maximum.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ResponseRoom } from '../src/response-room.js'

test('grants what is left after unsent bytes and other reservations, down to 0', () => {
  let unsent = 0
  const room = new ResponseRoom(1000, () => unsent)
  assert.is(room.reserve(600), 600)
  assert.is(room.reserve(600), 400, 'only what is left')
  assert.is(room.reserve(1), 0, 'full')
  room.release(600)
  unsent = 500
  assert.is(room.reserve(600), 100, 'bytes queued on the socket count too')
  room.release(100)
  room.release(400)
  unsent = 0
  assert.is(room.reserved, 0)
  assert.is(room.reserve(2000), 1000)
})

test.run()
