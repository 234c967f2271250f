// Proves the group consumer's bookkeeping: the commit point is the lowest unfinished offset and never passes one, whatever order messages finish in (fast-check); abandoned and rewound offsets stay uncommitted; the keyed scheduler keeps each key's order, runs different keys in parallel up to its concurrency, and bounds outstanding work.
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { KeyedScheduler, PartitionProgress } from '../../src/groups/progress.js'

test('commit point: lowest unfinished offset, or after the last delivered', () => {
  const progress = new PartitionProgress('t', 0, 10)
  assert.is(progress.commitPoint(), 10)
  for (const offset of [10, 11, 12, 15]) progress.deliver(offset)
  assert.is(progress.commitPoint(), 10)
  progress.finish(11)
  assert.is(progress.commitPoint(), 10)
  progress.finish(10)
  assert.is(progress.commitPoint(), 12)
  progress.finish(15)
  assert.is(progress.commitPoint(), 12)
  progress.finish(12)
  assert.is(progress.commitPoint(), 16)
  assert.is(progress.inFlight, 0)
})

test('abandoned offsets stay uncommitted; rewind delivers again from the offset', () => {
  const progress = new PartitionProgress('t', 0, 0)
  for (const offset of [0, 1, 2]) progress.deliver(offset)
  progress.finish(0)
  progress.abandon(1)
  progress.finish(2)
  assert.is(progress.commitPoint(), 1)
  assert.is(progress.inFlight, 0)
  const again = new PartitionProgress('t', 0, 5)
  again.deliver(5)
  again.finish(5)
  again.deliver(6)
  again.rewind(6)
  assert.is(again.inFlight, 0)
  assert.is(again.commitPoint(), 6)
  again.deliver(6)
  again.finish(6)
  assert.is(again.commitPoint(), 7)
})

test('idle() resolves once every delivered message is finished', async () => {
  const progress = new PartitionProgress('t', 0, 0)
  progress.deliver(0)
  progress.deliver(1)
  let idle = false
  const waiting = progress.idle().then(() => (idle = true))
  progress.finish(1)
  await Promise.resolve()
  assert.is(idle, false)
  progress.finish(0)
  await waiting
  assert.is(idle, true)
})

test('property: the commit point never passes an unfinished offset and reaches the end when all finish', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1000 }),
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 60 }),
      fc.func(fc.integer()),
      (start, gaps, order) => {
        const progress = new PartitionProgress('t', 0, start)
        const offsets: number[] = []
        let offset = start
        for (const gap of gaps) {
          offsets.push(offset)
          progress.deliver(offset)
          offset += gap // compacted topics leave gaps
        }
        const finishing = [...offsets].sort((a, b) => order(a) - order(b) || a - b)
        const unfinished = new Set(offsets)
        let previous = progress.commitPoint()
        for (const done of finishing) {
          progress.finish(done)
          unfinished.delete(done)
          const point = progress.commitPoint()
          for (const open of unfinished) if (point > open) return false
          if (point < previous) return false
          previous = point
        }
        return progress.commitPoint() === offsets.at(-1)! + 1 && progress.inFlight === 0
      },
    ),
    { numRuns: 500 },
  )
})

test('scheduler: per-key order, parallel keys, bounded concurrency', async () => {
  const scheduler = new KeyedScheduler(3, (error) => {
    throw error
  })
  const seen = new Map<string, number[]>()
  let running = 0
  let runningMax = 0
  for (let index = 0; index < 60; index++) {
    const key = `k${index % 5}`
    await scheduler.below(12)
    assert.ok(scheduler.outstanding < 12)
    scheduler.submit(key, async () => {
      running++
      runningMax = Math.max(runningMax, running)
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3))
      const list = seen.get(key) ?? []
      list.push(index)
      seen.set(key, list)
      running--
    })
  }
  await scheduler.below(1)
  assert.is(runningMax, 3)
  for (const list of seen.values())
    assert.equal(
      list,
      [...list].sort((a, b) => a - b),
    )
  assert.is([...seen.values()].flat().length, 60)
})

test('scheduler: a failing task is reported and the key moves on', async () => {
  const errors: unknown[] = []
  const scheduler = new KeyedScheduler(1, (error) => errors.push(error))
  const ran: number[] = []
  scheduler.submit('a', async () => {
    throw new Error('boom')
  })
  scheduler.submit('a', async () => {
    ran.push(2)
  })
  await scheduler.below(1)
  assert.is(errors.length, 1)
  assert.equal(ran, [2])
})

test.run()
