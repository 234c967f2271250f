// Proves the reset-offsets plan and flags: each target (earliest, latest, offset, shift either way, datetime) lands inside the log, partitions can be chosen, a shift needs a committed offset, and the flags need exactly one target.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../src/flags.js'
import { parseDatetime, parseReset } from '../src/reset-flags.js'
import { describeTarget, planReset } from '../src/reset-plan.js'

const states = [
  { partition: 0, committed: 5, logStartOffset: 2, logEndOffset: 10, offsetAtTime: 7 },
  { partition: 1, committed: -1, logStartOffset: 0, logEndOffset: 4 },
]

test('each target, clamped to the log', () => {
  assert.equal(planReset(states, { kind: 'earliest' }), [
    { partition: 0, from: 5, to: 2 },
    { partition: 1, from: null, to: 0 },
  ])
  assert.equal(
    planReset(states, { kind: 'latest' }).map((entry) => entry.to),
    [10, 4],
  )
  assert.equal(
    planReset(states, { kind: 'offset', offset: 3 }).map((entry) => entry.to),
    [3, 3],
  )
  assert.equal(
    planReset(states, { kind: 'offset', offset: 99 }).map((entry) => entry.to),
    [10, 4],
  )
  assert.equal(
    planReset(states, { kind: 'offset', offset: 0 }).map((entry) => entry.to),
    [2, 0],
  )
  assert.equal(planReset(states, { kind: 'shift', by: -2 }, [0]), [{ partition: 0, from: 5, to: 3 }])
  assert.equal(planReset(states, { kind: 'shift', by: -100 }, [0]), [{ partition: 0, from: 5, to: 2 }])
  assert.equal(planReset(states, { kind: 'shift', by: 3 }, [0]), [{ partition: 0, from: 5, to: 8 }])
  // No record that new: the log end.
  assert.equal(
    planReset(states, { kind: 'datetime', timestampMs: 1 }).map((entry) => entry.to),
    [7, 4],
  )
})

test('shift without a committed offset, and an unknown partition, are refused', () => {
  assert.throws(
    () => planReset(states, { kind: 'shift', by: 1 }),
    (error: unknown) =>
      error instanceof UsageError && /partition 1 has no committed offset/.test(error.message),
  )
  assert.throws(
    () => planReset(states, { kind: 'earliest' }, [2]),
    (error: unknown) => error instanceof UsageError && /partitions 0 to 1, not 2/.test(error.message),
  )
})

test('flags: topic with partitions, one target, dry run; datetime as ISO or ms', () => {
  assert.equal(parseReset({ topic: 'orders:0,2', 'shift-by': '-3', 'dry-run': true }), {
    topic: 'orders',
    partitions: [0, 2],
    target: { kind: 'shift', by: -3 },
    dryRun: true,
  })
  assert.equal(parseReset({ topic: 'orders', 'to-offset': '7' }), {
    topic: 'orders',
    target: { kind: 'offset', offset: 7 },
    dryRun: false,
  })
  assert.is(parseDatetime('1700000000000'), 1_700_000_000_000)
  assert.is(parseDatetime('2026-01-31T12:00:00Z'), Date.UTC(2026, 0, 31, 12))
  assert.is(
    describeTarget({ kind: 'datetime', timestampMs: Date.UTC(2026, 0, 31, 12) }),
    '2026-01-31T12:00:00.000Z',
  )
  const refused = (values: Parameters<typeof parseReset>[0], pattern: RegExp) =>
    assert.throws(
      () => parseReset(values),
      (error: unknown) => error instanceof UsageError && pattern.test(error.message),
    )
  refused({ 'to-earliest': true }, /needs --topic/)
  refused({ topic: 't' }, /exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset, --shift-by/)
  refused({ topic: 't', 'to-earliest': true, 'to-offset': '1' }, /exactly one/)
  refused({ topic: 't', 'to-offset': '-1' }, /--to-offset must be an integer from 0/)
  refused({ topic: 't', 'shift-by': 'x' }, /--shift-by must be an integer/)
  refused({ topic: 't', 'to-datetime': 'yesterday' }, /--to-datetime must be an ISO 8601 time/)
  refused({ topic: 't:a', 'to-latest': true }, /--topic must be TOPIC or TOPIC:P/)
})

test.run()
