// Proves the key partitioner follows the pinned murmur3 rule and the sticky partitioner moves on per batch.
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { choosePartition, keyHash, partitionForKey, StickyPartitioner } from '../src/index.js'

// A copy of ../shared/fixtures/murmur3-partitions.json, so CI does not depend on files outside the repo.
interface Fixture {
  cases: Array<{
    key: string | { repeat: string; times: number }
    hash32: number
    partitions: Record<string, number>
  }>
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/murmur3-partitions.json', import.meta.url), 'utf8'),
) as Fixture
const cases = fixture.cases.map((testCase) => ({
  ...testCase,
  key: typeof testCase.key === 'string' ? testCase.key : testCase.key.repeat.repeat(testCase.key.times),
}))

test('every fixture key hashes and partitions as pinned', () => {
  assert.ok(cases.length > 5)
  for (const testCase of cases) {
    assert.is(keyHash(testCase.key), testCase.hash32, `hash of ${JSON.stringify(testCase.key)}`)
    for (const [count, partition] of Object.entries(testCase.partitions)) {
      assert.is(
        partitionForKey(testCase.key, Number(count)),
        partition,
        `${JSON.stringify(testCase.key).slice(0, 20)} over ${count}`,
      )
    }
  }
})

test('a key as bytes hashes like the same key as a string', () => {
  for (const testCase of cases) {
    assert.is(keyHash(new TextEncoder().encode(testCase.key)), testCase.hash32)
  }
})

test('sticky partitioner keeps one partition until the batch is sealed, then moves on', () => {
  const sticky = new StickyPartitioner(() => 0.5)
  assert.is(sticky.partition(4), 2)
  assert.is(sticky.partition(4), 2)
  sticky.batchSealed(4)
  assert.is(sticky.partition(4), 3)
  sticky.batchSealed(4)
  assert.is(sticky.partition(4), 0)
})

test('sticky partitioner re-picks when the partition count shrinks below its choice', () => {
  const sticky = new StickyPartitioner(() => 0.9)
  assert.is(sticky.partition(10), 9)
  assert.is(sticky.partition(3), 2)
})

test('choosePartition uses the key when there is one and the sticky choice otherwise', () => {
  const sticky = new StickyPartitioner(() => 0)
  assert.is(choosePartition('user-42', 12, sticky), 8)
  assert.is(choosePartition(null, 12, sticky), 0)
})

test('a partition count that is not a positive integer is refused', () => {
  assert.throws(() => partitionForKey('a', 0), /positive integer/)
  assert.throws(() => new StickyPartitioner().partition(1.5), /positive integer/)
})

test.run()
