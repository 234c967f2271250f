// Proves the lag chart's history: totals per sample, close samples merged, and both bounds (samples per group, groups) kept.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LagHistory } from '../src/lag-history.js'

const limits = { samplesMax: 3, groupsMax: 2, sampleIntervalMsMin: 1000 }

test('a sample is the sum of the committed partitions lag', () => {
  const history = new LagHistory(limits)
  history.record('g', 0, [3, null, 4])
  assert.equal(history.samples('g'), [{ atMs: 0, totalLag: 7 }])
})

test('samples closer than the interval replace the last one', () => {
  const history = new LagHistory(limits)
  history.record('g', 0, [1])
  history.record('g', 1000, [2])
  history.record('g', 1500, [5])
  assert.equal(history.samples('g'), [
    { atMs: 0, totalLag: 1 },
    { atMs: 1500, totalLag: 5 },
  ])
})

test('only the latest samples of a group are kept', () => {
  const history = new LagHistory(limits)
  for (let index = 0; index < 5; index++) history.record('g', index * 1000, [index])
  assert.equal(
    history.samples('g').map((sample) => sample.totalLag),
    [2, 3, 4],
  )
})

test('past the group limit the least recently sampled group goes', () => {
  const history = new LagHistory(limits)
  history.record('a', 0, [1])
  history.record('b', 0, [1])
  history.record('a', 2000, [1])
  history.record('c', 2000, [1])
  assert.equal(history.samples('b'), [])
  assert.is(history.samples('a').length, 2)
  assert.is(history.samples('c').length, 1)
})

test.run()
