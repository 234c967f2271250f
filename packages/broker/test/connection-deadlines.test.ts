// Proves connections are timed by whole frames, not bytes: a trickle never resets the clock, idle counts only when nothing is in flight, and a write stall expires.
import { SimulatedTime } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ConnectionDeadlines, type ExpiryReason } from '../src/connection-deadlines.js'

const limits = {
  firstFrameTimeoutMs: 10_000,
  frameTimeoutMs: 30_000,
  idleTimeoutMs: 600_000,
  writeStallTimeoutMs: 60_000,
}

function setup(busy = () => false) {
  const time = new SimulatedTime()
  const expired: [ExpiryReason, number][] = []
  const deadlines = new ConnectionDeadlines(time, time, limits, busy, (reason) =>
    expired.push([reason, time.elapsedMs]),
  )
  return { time, expired, deadlines }
}

test('a connection that never completes a frame is closed after firstFrameTimeoutMs, however many bytes trickle in', async () => {
  const { time, expired, deadlines } = setup()
  for (let second = 0; second < 9; second++) {
    await time.advance(1000)
    deadlines.read(0, true)
  }
  await time.advance(2000)
  assert.equal(expired, [['no first frame', 10_000]])
})

test('after a first frame, a partial frame trickled in is closed frameTimeoutMs after it began', async () => {
  const { time, expired, deadlines } = setup()
  await time.advance(100)
  deadlines.read(1, true) // one frame done and the next begun in the same chunk
  for (let index = 0; index < 29; index++) {
    await time.advance(1000)
    deadlines.read(0, true)
  }
  assert.equal(expired, [])
  await time.advance(1000)
  assert.equal(expired, [['partial frame', 30_100]])
})

test('complete frames keep a connection open; idle counts from the last frame or answer', async () => {
  const { time, expired, deadlines } = setup()
  deadlines.read(1, false)
  await time.advance(500_000)
  deadlines.answered()
  await time.advance(599_999)
  assert.equal(expired, [])
  await time.advance(1)
  assert.equal(expired, [['idle', 1_100_000]])
})

test('a busy connection (a long poll in flight) is never idle', async () => {
  let busy = true
  const { time, expired, deadlines } = setup(() => busy)
  deadlines.read(1, false)
  await time.advance(2_000_000)
  assert.equal(expired, [])
  busy = false
  deadlines.answered()
  await time.advance(600_000)
  assert.equal(expired, [['idle', 2_600_000]])
})

test('unsent bytes above the mark for writeStallTimeoutMs expire; draining in time clears it', async () => {
  const { time, expired, deadlines } = setup(() => true)
  deadlines.read(1, false)
  deadlines.writeBacklog(true)
  await time.advance(59_000)
  deadlines.writeBacklog(false)
  await time.advance(10_000)
  deadlines.writeBacklog(true)
  await time.advance(60_000)
  assert.equal(expired, [['write stall', 129_000]])
})

test('stop clears the timer: nothing fires after the connection closed', async () => {
  const { time, expired, deadlines } = setup()
  deadlines.stop()
  await time.advance(10_000_000)
  assert.equal(expired, [])
  assert.is(time.pendingCount, 0)
})

test.run()
