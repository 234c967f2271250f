// Proves the virtual scheduler's order (deferred FIFO before time moves; timers by due time then arming order), per-host clock jumps, halted scopes, and that a livelock or a throwing callback fails instead of hanging.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SimulationStuckError, VirtualTime } from '../src/virtual-time.js'

test('timers fire by due time, then arming order; deferred callbacks run first, FIFO', async () => {
  const time = new VirtualTime()
  const timers = time.scope('a')
  const order: string[] = []
  timers.setTimeout(() => order.push('t20'), 20)
  timers.setTimeout(() => order.push('t10a'), 10)
  timers.setTimeout(() => order.push('t10b'), 10)
  timers.defer(() => {
    order.push('d1')
    timers.defer(() => order.push('d3'))
  })
  timers.defer(() => order.push('d2'))
  await time.runFor(100)
  assert.equal(order, ['d1', 'd2', 'd3', 't10a', 't10b', 't20'])
  assert.is(time.elapsedMs, 100)
})

test('promise chains started by a callback settle before the next step', async () => {
  const time = new VirtualTime()
  const timers = time.scope('a')
  const order: string[] = []
  timers.setTimeout(() => {
    void Promise.resolve()
      .then(() => Promise.resolve())
      .then(() => order.push('chain'))
  }, 5)
  timers.setTimeout(() => order.push('next'), 5)
  await time.runFor(10)
  assert.equal(order, ['chain', 'next'])
})

test('intervals repeat until cleared; clear() of a fired or unknown timer is fine', async () => {
  const time = new VirtualTime()
  const timers = time.scope('a')
  let ticks = 0
  const interval = timers.setInterval(() => {
    ticks++
    if (ticks === 3) timers.clear(interval)
  }, 10)
  const once = timers.setTimeout(() => {}, 1)
  await time.runFor(100)
  timers.clear(once)
  timers.clear(undefined)
  assert.is(ticks, 3)
})

test('runUntil stops when the predicate holds, or at the limit', async () => {
  const time = new VirtualTime()
  const timers = time.scope('a')
  let fired = 0
  timers.setInterval(() => fired++, 10)
  assert.ok(await time.runUntil(() => fired === 4, 1000))
  assert.is(time.elapsedMs, 40)
  assert.not.ok(await time.runUntil(() => fired === 1000, 100))
  assert.is(time.elapsedMs, 140)
})

test('a host clock jumps without moving timers', async () => {
  const time = new VirtualTime({ startMs: 1000 })
  const clock = time.clock('b1')
  const other = time.clock('b2')
  let firedAt = -1
  time.scope('a').setTimeout(() => (firedAt = time.elapsedMs), 50)
  time.jumpClock('b1', -500)
  await time.runFor(100)
  assert.is(firedAt, 50)
  assert.is(clock.now(), 600)
  assert.is(other.now(), 1100)
})

test('a halted scope runs nothing more, and arms nothing', async () => {
  const time = new VirtualTime()
  const dead = time.scope('dead')
  let ran = 0
  dead.setInterval(() => ran++, 10)
  dead.defer(() => ran++)
  dead.halt()
  dead.setTimeout(() => ran++, 1)
  dead.defer(() => ran++)
  await time.runFor(100)
  assert.is(ran, 0)
})

test('a livelock fails with a clear message instead of hanging', async () => {
  const time = new VirtualTime({ stepsAtOneInstantMax: 1000 })
  const timers = time.scope('spinner')
  const spin = () => timers.defer(spin)
  spin()
  try {
    await time.runFor(10)
    assert.unreachable('the spin should have failed')
  } catch (error) {
    assert.instance(error, SimulationStuckError)
    assert.match((error as Error).message, /livelock: 1000 steps at virtual time 0 ms .*spinner/)
  }
})

test('a throwing callback fails the run with its message', async () => {
  const time = new VirtualTime()
  time.scope('a').setTimeout(() => {
    throw new Error('boom')
  }, 3)
  try {
    await time.runFor(10)
    assert.unreachable('the callback threw')
  } catch (error) {
    assert.match((error as Error).message, /threw at virtual time 3 ms: Error: boom/)
  }
})

test.run()
