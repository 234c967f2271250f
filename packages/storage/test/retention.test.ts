// Proves the retention rule: by age, by bytes, either one suffices, never the active segment.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { segmentsToDelete } from '../src/index.js'

const segments = [
  { sizeBytes: 100, maxTimestamp: 1000 },
  { sizeBytes: 100, maxTimestamp: 2000 },
  { sizeBytes: 100, maxTimestamp: 3000 },
  { sizeBytes: 50, maxTimestamp: 4000 },
]

test('unlimited retention deletes nothing', () => {
  assert.is(segmentsToDelete(segments, { retentionMs: -1, retentionBytes: -1 }, 1e12), 0)
})

test('by age: leading segments whose newest record is older than retentionMs', () => {
  assert.is(segmentsToDelete(segments, { retentionMs: 1500, retentionBytes: -1 }, 4000), 2)
  assert.is(
    segmentsToDelete(segments, { retentionMs: 1, retentionBytes: -1 }, 1e12),
    3,
    'never the active one',
  )
})

test('by bytes: drop the oldest while what remains is still at least retentionBytes', () => {
  assert.is(segmentsToDelete(segments, { retentionMs: -1, retentionBytes: 150 }, 0), 2)
  assert.is(segmentsToDelete(segments, { retentionMs: -1, retentionBytes: 151 }, 0), 1)
  assert.is(segmentsToDelete(segments, { retentionMs: -1, retentionBytes: 1 }, 0), 3)
})

test('either rule is enough', () => {
  assert.is(segmentsToDelete(segments, { retentionMs: 2500, retentionBytes: 200 }, 4000), 1)
  assert.is(segmentsToDelete(segments, { retentionMs: 500, retentionBytes: 340 }, 4000), 3)
})

test('an empty or single-segment log deletes nothing', () => {
  assert.is(segmentsToDelete([], { retentionMs: 1, retentionBytes: 1 }, 1e12), 0)
  assert.is(segmentsToDelete(segments.slice(0, 1), { retentionMs: 1, retentionBytes: 1 }, 1e12), 0)
})

test.run()
