// Proves the choice of the follower a leader hands its group to: replicating followers only (one
// being probed or restored is likely down), in-sync ones first, then the furthest along, never a
// draining broker or the leader itself, and the same answer every time.
import type { ProgressView } from '@weir/raft'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { handoffTarget } from '../../src/cluster/leadership-handoff.js'

function view(match: number, state: ProgressView['state'] = 'replicate'): ProgressView {
  return { match, next: match + 1, state, inflight: 0 }
}

test('an in-sync follower beats one further along that is out of sync', () => {
  const progress = new Map([
    [2, view(90)],
    [3, view(100)],
  ])
  assert.is(handoffTarget(1, progress, [1, 2], new Set()), 2)
})

test('among in-sync followers the one furthest along wins; ties go to the lowest id', () => {
  assert.is(
    handoffTarget(
      1,
      new Map([
        [2, view(90)],
        [3, view(100)],
      ]),
      [1, 2, 3],
      new Set(),
    ),
    3,
  )
  assert.is(
    handoffTarget(
      1,
      new Map([
        [3, view(100)],
        [2, view(100)],
      ]),
      [1, 2, 3],
      new Set(),
    ),
    2,
  )
})

test('a follower being probed or restored (likely down) is never chosen', () => {
  const progress = new Map([
    [2, view(100, 'probe')],
    [3, view(100, 'snapshot')],
  ])
  assert.is(handoffTarget(1, progress, [1, 2, 3], new Set()), undefined)
})

test('draining brokers and the leader itself are skipped', () => {
  const progress = new Map([
    [1, view(100)],
    [2, view(100)],
    [3, view(80)],
  ])
  assert.is(handoffTarget(1, progress, [1, 2, 3], new Set([2])), 3)
  assert.is(handoffTarget(1, progress, [1, 2, 3], new Set([2, 3])), undefined)
})

test.run()
