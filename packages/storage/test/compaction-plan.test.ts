// Proves the cleaner's pure rules: which records survive, when tombstones expire, the bounded key map, the pass history and the throttle's pace.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  cleanerPassesMax,
  LatestOffsetMap,
  recordPass,
  survivesClean,
  throttleDelayMs,
  tombstoneCutoffOffset,
} from '../src/index.js'

function mapOf(entries: [string, number][]): LatestOffsetMap {
  const map = new LatestOffsetMap(100)
  for (const [key, offset] of entries) map.note(key, offset)
  return map
}

test('only the latest record of a key survives; keyless records always do', () => {
  const latest = mapOf([
    ['a', 0],
    ['b', 1],
    ['a', 5],
  ])
  assert.is(latest.latestOffset('a'), 5)
  assert.not.ok(survivesClean({ offset: 0, key: 'a', tombstone: false }, latest, 0))
  assert.ok(survivesClean({ offset: 5, key: 'a', tombstone: false }, latest, 0))
  assert.ok(survivesClean({ offset: 1, key: 'b', tombstone: false }, latest, 0))
  assert.ok(survivesClean({ offset: 3, key: undefined, tombstone: false }, latest, 0))
})

test('a latest tombstone stays until it is below the tombstone cutoff', () => {
  const latest = mapOf([['a', 7]])
  assert.ok(survivesClean({ offset: 7, key: 'a', tombstone: true }, latest, 7))
  assert.not.ok(survivesClean({ offset: 7, key: 'a', tombstone: true }, latest, 8))
})

test('the tombstone cutoff is how far passes at least deleteRetentionMs old reached', () => {
  const passes = [
    { endOffset: 10, cleanedAtMs: 1000 },
    { endOffset: 20, cleanedAtMs: 2000 },
    { endOffset: 30, cleanedAtMs: 3000 },
  ]
  assert.is(tombstoneCutoffOffset(passes, 2999, 1000), 10)
  assert.is(tombstoneCutoffOffset(passes, 3000, 1000), 20)
  assert.is(tombstoneCutoffOffset(passes, 1999, 1000), 0, 'nothing cleaned long enough ago')
  assert.is(tombstoneCutoffOffset([], 1e12, 0), 0)
})

test('the key map refuses a new key when full but still updates known ones', () => {
  const map = new LatestOffsetMap(2)
  assert.ok(map.note('a', 0))
  assert.ok(map.note('b', 1))
  assert.not.ok(map.note('c', 2))
  assert.ok(map.note('a', 3))
  assert.is(map.latestOffset('a'), 3)
  assert.is(map.size, 2)
})

test('pass history: expired passes collapse into the newest, a pass that reaches no further is not added', () => {
  let passes = recordPass([], { endOffset: 10, cleanedAtMs: 1000 }, 500)
  passes = recordPass(passes, { endOffset: 20, cleanedAtMs: 1200 }, 500)
  passes = recordPass(passes, { endOffset: 20, cleanedAtMs: 1300 }, 500)
  assert.equal(passes, [
    { endOffset: 10, cleanedAtMs: 1000 },
    { endOffset: 20, cleanedAtMs: 1200 },
  ])
  passes = recordPass(passes, { endOffset: 30, cleanedAtMs: 5000 }, 500)
  assert.equal(passes, [
    { endOffset: 20, cleanedAtMs: 1200 },
    { endOffset: 30, cleanedAtMs: 5000 },
  ])
})

test('pass history is bounded; dropping a pass only makes its offsets look cleaned later', () => {
  let passes = recordPass([], { endOffset: 1, cleanedAtMs: 1 }, 1e9)
  for (let index = 2; index < cleanerPassesMax + 10; index++) {
    passes = recordPass(passes, { endOffset: index, cleanedAtMs: index }, 1e9)
  }
  assert.is(passes.length, cleanerPassesMax)
  assert.equal(passes[0], { endOffset: 1, cleanedAtMs: 1 })
  // Offset 5 was first cleaned at 6; with its pass merged away it counts from a later time.
  const cutoffAt = (now: number) => tombstoneCutoffOffset(passes, now, 1e9)
  assert.ok(cutoffAt(1e9 + 6) <= 6)
})

test('the throttle waits until the bytes spent fit the rate', () => {
  assert.is(throttleDelayMs(1000, 0, 1000), 1000)
  assert.is(throttleDelayMs(1000, 400, 1000), 600)
  assert.is(throttleDelayMs(1000, 2000, 1000), 0)
  assert.is(throttleDelayMs(1e12, 0, Number.POSITIVE_INFINITY), 0)
})

test.run()
