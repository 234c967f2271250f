// Proves each invariant passes on a healthy hand-made run and catches its own violation with a precise message.
import { encodeRecordBatch, patchBatch } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type AckedCommit,
  type AckedRecord,
  checkInvariants,
  InvariantViolation,
  type PartitionView,
  type ReplicaView,
  type RunOutcome,
  type StoredBatch,
} from '../src/invariants.js'

function batch(baseOffset: number, values: readonly string[], term = 1): StoredBatch {
  const bytes = encodeRecordBatch(
    values.map((value) => ({ key: null, value: Buffer.from(value) })),
    { timestamp: 1000 },
  )
  patchBatch(bytes, 0, baseOffset, term)
  return { baseOffset, lastOffset: baseOffset + values.length - 1, bytes }
}

function replica(brokerId: number, batches: StoredBatch[], highWatermark?: number): ReplicaView {
  const logEndOffset = batches.at(-1) === undefined ? 0 : batches.at(-1)!.lastOffset + 1
  return {
    brokerId,
    highWatermark: highWatermark ?? logEndOffset,
    logStartOffset: 0,
    logEndOffset,
    batches,
  }
}

const healthyBatches = () => [batch(0, ['a', 'b']), batch(2, ['c']), batch(3, ['d', 'e'])]
const acked: AckedRecord[] = [
  { partition: 0, offset: 1, value: 'b' },
  { partition: 0, offset: 4, value: 'e' },
]
const commits: AckedCommit[] = [
  { member: 'm1', partition: 0, offset: 2 },
  { member: 'm2', partition: 0, offset: 5 },
]

function outcome(overrides: Partial<RunOutcome> & { replicas?: ReplicaView[] } = {}): RunOutcome {
  const replicas = overrides.replicas ?? [1, 2, 3].map((id) => replica(id, healthyBatches()))
  const partitions: PartitionView[] = [{ partition: 0, leaderId: 1, replicas }]
  return { partitions, acked, commits, finalCommitted: new Map([[0, 5]]), ...overrides }
}

function violation(run: RunOutcome): InvariantViolation {
  try {
    checkInvariants(run)
  } catch (error) {
    if (error instanceof InvariantViolation) return error
    throw error
  }
  throw new Error('expected a violation')
}

test('a healthy run passes, a follower behind on its high watermark too', () => {
  checkInvariants(outcome())
  const behind = replica(3, healthyBatches().slice(0, 2), 3)
  checkInvariants(outcome({ replicas: [replica(1, healthyBatches()), replica(2, healthyBatches()), behind] }))
})

test('a gap between batches is caught', () => {
  const gap = [batch(0, ['a', 'b']), batch(3, ['d', 'e'])]
  const error = violation(outcome({ replicas: [replica(1, healthyBatches()), replica(2, gap)] }))
  assert.is(error.invariant, 'offsets consecutive')
  assert.match(error.message, /partition 0 on broker 2: batch at 3 follows one ending at 1 \(expected 2\)/)
})

test('a committed batch that differs on one replica is caught, with the byte', () => {
  const other = [batch(0, ['a', 'b']), batch(2, ['X']), batch(3, ['d', 'e'])]
  const error = violation(outcome({ replicas: [replica(1, healthyBatches()), replica(2, other)] }))
  assert.is(error.invariant, 'committed prefix identical')
  assert.match(error.message, /brokers 1 \(leader\) and 2: batch 1 below the committed offset 5 differs/)
  assert.match(error.message, /first difference at byte \d+/)
})

test('a difference above the smallest high watermark is not a violation', () => {
  const other = [batch(0, ['a', 'b']), batch(2, ['c']), batch(3, ['x', 'y'], 2)]
  checkInvariants(
    outcome({
      replicas: [replica(1, healthyBatches(), 3), replica(2, other, 3)],
      acked: [{ partition: 0, offset: 1, value: 'b' }],
      commits: [],
    }),
  )
})

test('an acknowledged value missing or moved is caught', () => {
  const lost = violation(outcome({ acked: [{ partition: 0, offset: 7, value: 'z' }] }))
  assert.is(lost.invariant, 'acknowledged write kept')
  assert.match(
    lost.message,
    /"z" acknowledged at partition 0 offset 7: the leader's committed log has no record/,
  )
  const moved = violation(outcome({ acked: [{ partition: 0, offset: 2, value: 'b' }] }))
  assert.match(moved.message, /holds "c" there/)
})

test('a value stored twice is caught', () => {
  const twice = [batch(0, ['a', 'b']), batch(2, ['b'])]
  const error = violation(
    outcome({ replicas: [replica(1, twice)], acked: [], commits: [], finalCommitted: new Map() }),
  )
  assert.is(error.invariant, 'no duplicate')
  assert.match(error.message, /"b" is stored twice: at partition 0 offset 1 and at partition 0 offset 2/)
})

test('a commit going back, past the log, or lost afterwards is caught', () => {
  const back = violation(
    outcome({
      commits: [
        { member: 'm1', partition: 0, offset: 4 },
        { member: 'm2', partition: 0, offset: 3 },
      ],
    }),
  )
  assert.is(back.invariant, 'commits monotonic')
  assert.match(back.message, /commit 1 by m2 stored 3 after m1 had committed 4/)
  const past = violation(outcome({ commits: [{ member: 'm1', partition: 0, offset: 9 }] }))
  assert.match(past.message, /past the high watermark 5/)
  const forgotten = violation(outcome({ finalCommitted: new Map([[0, 2]]) }))
  assert.match(forgotten.message, /the group holds 2 after the run, below the acknowledged commit 5 by m2/)
})

test.run()
