// Proves the receive buffer pool reuses a buffer only after its last hold is released, keeps at most idleBytesMax idle, ignores buffers it did not hand out, and that the frame reader assembles large frames in it.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FrameReader } from '../src/frame.js'
import { ReceiveBufferPool } from '../src/receive-buffer-pool.js'

test('a buffer is reused only once every hold is released', () => {
  const pool = new ReceiveBufferPool({ frameBytesMin: 1024, idleBytesMax: 1 << 20 })
  const frame = pool.acquire(5000)
  assert.is(frame.length, 5000)
  pool.hold(frame.subarray(100, 200))
  pool.release(frame)
  assert.is(pool.idleCount, 0, 'one hold left')
  assert.ok(pool.acquire(5000).buffer !== frame.buffer, 'a held buffer is never handed out again')
  pool.release(frame.subarray(0, 1))
  assert.is(pool.idleCount, 1)
  assert.ok(pool.acquire(4000).buffer === frame.buffer, 'a smaller frame reuses it')
})

test('idle buffers are bounded by idleBytesMax; foreign buffers are ignored', () => {
  const pool = new ReceiveBufferPool({ frameBytesMin: 1, idleBytesMax: 128 * 1024 })
  const first = pool.acquire(100 * 1024)
  const second = pool.acquire(100 * 1024)
  pool.release(first)
  pool.release(second)
  assert.is(pool.idleCount, 1, 'the second would pass the bound: left to the GC')
  pool.release(Buffer.alloc(10))
  pool.hold(Buffer.alloc(10))
  assert.not.ok(pool.isPooled(Buffer.alloc(10)))
  assert.ok(pool.pools(1) && !new ReceiveBufferPool({ frameBytesMin: 2, idleBytesMax: 0 }).pools(1))
})

test('the frame reader assembles a frame spanning chunks in a pooled buffer, and reuses it', () => {
  const pool = new ReceiveBufferPool({ frameBytesMin: 64, idleBytesMax: 1 << 20 })
  const reader = new FrameReader(1 << 20, 4, pool)
  const frame = Buffer.alloc(4 + 200, 7)
  frame.writeUInt32BE(200, 0)
  const [first] = reader.push(frame.subarray(0, 50)).concat(reader.push(frame.subarray(50)))
  assert.ok(first !== undefined && pool.isPooled(first) && first.length === 200)
  pool.release(first!)
  const [second] = reader.push(frame.subarray(0, 50)).concat(reader.push(frame.subarray(50)))
  assert.ok(second!.buffer === first!.buffer, 'the next frame reuses the released buffer')
  assert.ok(second!.equals(frame.subarray(4)))
})

test.run()
