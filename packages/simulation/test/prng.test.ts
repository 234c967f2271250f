// Proves the PRNG replays from its seed, stays in its ranges, and that forks are independent streams.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Prng } from '../src/prng.js'

const draws = (prng: Prng, count: number) => Array.from({ length: count }, () => prng.nextUint32())

test('a seed replays the same stream; another seed gives another', () => {
  assert.equal(draws(new Prng(42), 20), draws(new Prng(42), 20))
  assert.not.equal(draws(new Prng(42), 20), draws(new Prng(43), 20))
})

test('next() is in [0, 1); int(lo, hi) covers both ends and nothing outside', () => {
  const prng = new Prng(7)
  const seen = new Set<number>()
  for (let index = 0; index < 10_000; index++) {
    const value = prng.next()
    assert.ok(value >= 0 && value < 1)
    const integer = prng.int(-2, 3)
    assert.ok(integer >= -2 && integer <= 3)
    seen.add(integer)
  }
  assert.equal(
    [...seen].sort((a, b) => a - b),
    [-2, -1, 0, 1, 2, 3],
  )
})

test('chance(0) never, chance(1) always; pick() takes from the list', () => {
  const prng = new Prng(1)
  for (let index = 0; index < 1000; index++) {
    assert.not.ok(prng.chance(0))
    assert.ok(prng.chance(1))
    assert.ok(['a', 'b'].includes(prng.pick(['a', 'b'])))
  }
  assert.throws(() => prng.pick([]), /empty/)
  assert.throws(() => prng.int(3, 2), /low <= high/)
})

test('forks with different labels differ; a fork does not draw from its parent', () => {
  const parent = new Prng(9)
  const twin = new Prng(9)
  const faults = parent.fork('faults')
  const network = parent.fork('network')
  assert.not.equal(draws(faults, 10), draws(network, 10))
  assert.equal(draws(parent, 10), draws(twin, 10))
  assert.equal(draws(new Prng(9).fork('faults'), 10), draws(new Prng(9).fork('faults'), 10))
})

test.run()
