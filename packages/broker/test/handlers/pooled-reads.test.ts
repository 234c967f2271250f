// Proves a response's pooled read buffers go back to the pool exactly when the connection says the frame was written, once, and that a response holding none releases nothing.
import { ReceiveBufferPool } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { holdsPooled, pooledRelease } from '../../src/handlers/pooled-reads.js'

test('the buffers a response holds return to the pool when its frame is written, and only once', () => {
  const pool = new ReceiveBufferPool({ frameBytesMin: 1, idleBytesMax: 1 << 20 })
  const read = pool.acquire(1000)
  const response = { topics: [{ records: read.subarray(10, 500) }] }
  holdsPooled(response, pool, [read])
  const written = pooledRelease(response)
  assert.is(pool.idleCount, 0, 'still held while the frame is unsent')
  written()
  assert.is(pool.idleCount, 1, 'back once written')
  assert.ok(pool.acquire(1000).buffer === read.buffer, 'the next read reuses it')
  // The release is taken off the response: a second dispatch of it cannot release twice.
  pooledRelease(response)()
  assert.is(pool.idleCount, 0)
})

test('a response without pooled reads (or not an object) releases nothing', () => {
  pooledRelease({ topics: [] })()
  pooledRelease(undefined)()
  const pool = new ReceiveBufferPool({ frameBytesMin: 1, idleBytesMax: 1 << 20 })
  holdsPooled({}, pool, [])
  assert.is(pool.idleCount, 0)
})

test.run()
