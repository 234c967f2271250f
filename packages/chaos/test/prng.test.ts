// The seeded random replays: one seed gives one sequence of choices, another seed another.
import * as assert from 'node:assert/strict'
import { test } from 'uvu'
import { seededRandom } from '../src/prng.js'

test('a seed replays the same choices; another seed does not', () => {
  const draw = (seed: number) => {
    const random = seededRandom(seed)
    return [random.integer(1, 1000), random.pick(['a', 'b', 'c', 'd']), ...random.sample([1, 2, 3, 4, 5], 3)]
  }
  assert.deepEqual(draw(42), draw(42))
  assert.notDeepEqual(draw(42), draw(43))
})

test('integers stay in range and samples are distinct', () => {
  const random = seededRandom(7)
  for (let index = 0; index < 1000; index++) {
    const value = random.integer(3, 5)
    assert.ok(value >= 3 && value <= 5)
  }
  const sample = random.sample([1, 2, 3, 4, 5], 5)
  assert.deepEqual([...sample].sort(), [1, 2, 3, 4, 5])
})

test.run()
