// Proves where consume starts and stops: each --offset form, clamping into [start, end] with a note (past the end never waits silently), and -e finishing each partition at its end at start.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../src/flags.js'
import { EndTracker, parseOffsetFlag, startOffsets } from '../src/start-offsets.js'

const ranges = [
  { partition: 0, low: 0, high: 10 },
  { partition: 1, low: 5, high: 8 },
  { partition: 2, low: 3, high: 3 },
]

test('each --offset form parses', () => {
  assert.equal(parseOffsetFlag('start'), { kind: 'start' })
  assert.equal(parseOffsetFlag('end'), { kind: 'end' })
  assert.equal(parseOffsetFlag('7'), { kind: 'absolute', offset: 7 })
  assert.equal(parseOffsetFlag('-7'), { kind: 'fromEnd', count: 7 })
  assert.equal(parseOffsetFlag('@1700000000000'), { kind: 'timestamp', timestampMs: 1_700_000_000_000 })
  assert.equal(parseOffsetFlag('@2023-11-14T22:13:20Z'), {
    kind: 'timestamp',
    timestampMs: 1_700_000_000_000,
  })
  for (const bad of ['', 'soon', '1.5', '@tomorrow', '@', '@-5', '99999999999999999999'])
    assert.throws(
      () => parseOffsetFlag(bad),
      (error: Error) => error instanceof UsageError,
      bad,
    )
})

test('start, end and -N per partition', () => {
  const offsets = (flag: string) => startOffsets(parseOffsetFlag(flag), ranges).map((start) => start.offset)
  assert.equal(offsets('start'), [0, 5, 3])
  assert.equal(offsets('end'), [10, 8, 3])
  assert.equal(offsets('-2'), [8, 6, 3])
  // More than the partition holds: its start.
  assert.equal(offsets('-100'), [0, 5, 3])
})

test('an absolute offset past the end starts at the end, one before the start at the start, each with a note', () => {
  const starts = startOffsets(parseOffsetFlag('6'), ranges)
  assert.equal(
    starts.map((start) => start.offset),
    [6, 6, 3],
  )
  assert.is(starts[0]!.clamped, undefined)
  assert.is(starts[2]!.clamped, 'offset 6 is past the end of partition 2 (3): starting at the end')
  const early = startOffsets(parseOffsetFlag('1'), ranges)
  assert.match(early[1]!.clamped!, /before the start of partition 1 \(5\): starting at the start/)
})

test('a timestamp starts where ListOffsets answered, kept within the log', () => {
  const answers = new Map([
    [0, 4],
    [1, 8],
    [2, 3],
  ])
  const starts = startOffsets(parseOffsetFlag('@1000'), ranges, answers)
  assert.equal(
    starts.map((start) => start.offset),
    [4, 8, 3],
  )
})

test('-e: a partition finishes when its last offset before the end at start is read; empty ones are finished at once', () => {
  const tracker = new EndTracker(startOffsets(parseOffsetFlag('-2'), ranges), ranges)
  assert.not.ok(tracker.finished)
  assert.not.ok(tracker.reading(2))
  assert.not.ok(tracker.read(0, 8))
  assert.ok(tracker.read(0, 9))
  assert.not.ok(tracker.reading(0))
  assert.not.ok(tracker.read(1, 6))
  assert.ok(tracker.read(1, 7))
  assert.ok(tracker.finished)
  assert.ok(new EndTracker(startOffsets(parseOffsetFlag('end'), ranges), ranges).finished)
})

test.run()
