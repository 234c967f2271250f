// Proves the sparse index answers floor/lower lookups, truncates, and detects damaged files.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SparseIndex } from '../src/index.js'

function index(entries: Array<[number, number]>, keyBytes: 4 | 8 = 4): SparseIndex {
  const built = new SparseIndex(keyBytes, 2)
  for (const [key, value] of entries) built.add(key, value)
  return built
}

test('floorValue and lowerValue find the entry at or below, and strictly below, a key', () => {
  const built = index([
    [10, 100],
    [20, 200],
    [30, 300],
  ])
  assert.is(built.floorValue(5), undefined)
  assert.is(built.floorValue(10), 100)
  assert.is(built.floorValue(29), 200)
  assert.is(built.floorValue(1000), 300)
  assert.is(built.lowerValue(10), undefined)
  assert.is(built.lowerValue(11), 100)
  assert.is(built.lowerValue(30), 200)
})

test('entries must increase', () => {
  const built = index([[10, 100]])
  assert.throws(() => built.add(10, 200), /must increase/)
  assert.throws(() => built.add(11, 50), /must increase/)
})

test('truncation by key and by value drops the tail only', () => {
  const built = index([
    [1, 10],
    [2, 20],
    [3, 30],
    [4, 40],
  ])
  built.truncateKeysFrom(3)
  assert.equal([built.length, built.lastKey, built.lastValue], [2, 2, 20])
  built.truncateValuesFrom(20)
  assert.equal([built.length, built.lastKey], [1, 1])
})

test('encode → decode round-trips 4- and 8-byte keys (timestamps)', () => {
  const offsets = index([
    [1, 4096],
    [70, 9000],
  ])
  assert.equal(SparseIndex.decode(offsets.encode(), 4, 10_000)!.encode(), offsets.encode())
  const times = index(
    [
      [1_700_000_000_000, 3],
      [1_700_000_000_500, 9],
    ],
    8,
  )
  const decoded = SparseIndex.decode(times.encode(), 8, 100)!
  assert.is(decoded.floorValue(1_700_000_000_499), 3)
})

test('a damaged file decodes to undefined: odd size, disorder, or a value past the segment', () => {
  const good = index([
    [1, 10],
    [2, 20],
  ]).encode()
  assert.is(SparseIndex.decode(good.subarray(0, 7), 4, 100), undefined)
  const disordered = Buffer.concat([good.subarray(8), good.subarray(0, 8)])
  assert.is(SparseIndex.decode(disordered, 4, 100), undefined)
  assert.is(SparseIndex.decode(good, 4, 15), undefined)
  assert.equal(SparseIndex.decode(Buffer.alloc(0), 4, 0)?.length, 0)
})

test('the index grows past its initial capacity', () => {
  const built = new SparseIndex(4, 1)
  for (let key = 0; key < 1000; key++) built.add(key, key * 2)
  assert.is(built.floorValue(777), 1554)
})

test.run()
