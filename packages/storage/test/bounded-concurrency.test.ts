// Proves settleBounded never runs more than its limit at once, keeps item order, starts nothing after a failure, and that allBounded undoes the successes before it rethrows.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { allBounded, settleBounded } from '../src/bounded-concurrency.js'

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

test('at most `limit` jobs run at once, and they do overlap up to it', async () => {
  let running = 0
  let most = 0
  const outcomes = await settleBounded([...Array(20).keys()], 4, async (item) => {
    running++
    most = Math.max(most, running)
    await tick()
    running--
    return item * 2
  })
  assert.is(most, 4)
  assert.equal(
    outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined)),
    [...Array(20).keys()].map((item) => item * 2),
  )
})

test('results keep item order when jobs finish out of order', async () => {
  const values = await allBounded(
    [3, 1, 2],
    3,
    async (delay) => {
      for (let turn = 0; turn < delay; turn++) await tick()
      return delay
    },
    async () => undefined,
  )
  assert.equal(values, [3, 1, 2])
})

test('after a failure no new job starts; allBounded closes what succeeded and rethrows', async () => {
  const started: number[] = []
  const undone: number[] = []
  const failure = new Error('disk full')
  try {
    await allBounded(
      [0, 1, 2, 3, 4, 5],
      2,
      async (item) => {
        started.push(item)
        await tick()
        if (item === 1) throw failure
        return item
      },
      async (value) => {
        undone.push(value)
      },
    )
    assert.unreachable('allBounded resolved despite a failed job')
  } catch (error) {
    assert.is(error, failure)
  }
  assert.equal(started, [0, 1, 2])
  assert.equal(undone.sort(), [0, 2])
})

test('a limit that is not a positive integer is a programmer error', async () => {
  try {
    await settleBounded([1], 0, async (item) => item)
    assert.unreachable('limit 0 was accepted')
  } catch (error) {
    assert.instance(error, RangeError)
  }
})

test.run()
