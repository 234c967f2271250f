// Proves a Heartbeat with maxWaitMs is held and answered the moment a rebalance starts or its member goes (so members learn of a leave at once), else with 0 when its hold (at most half the session) runs out.
import { ErrorCodes } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Harness, sessionTimeoutMs } from './support.js'

const { REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID } = ErrorCodes

/** Two members, generation 2, stable. */
function stablePair(h: Harness): [string, string] {
  const first = h.startStable(0)
  const secondJoin = h.join(10)
  h.joinAnswer(h.join(20, first))
  const second = h.joinAnswer(secondJoin).memberId
  h.sync(30, second, 2)
  h.sync(40, first, 2, [
    [first, 'a'],
    [second, 'b'],
  ])
  assert.is(h.group.state, 'stable')
  return [first, second]
}

function heldHeartbeat(h: Harness, nowMs: number, memberId: string, maxWaitMs: number): number {
  const requestId = h.nextRequestId++
  h.coordinator.heartbeat(
    requestId,
    { groupId: 'g', generationId: h.group.generationId, memberId, maxWaitMs },
    nowMs,
  )
  h.collect()
  return requestId
}

function leave(h: Harness, nowMs: number, memberId: string): void {
  h.coordinator.leaveGroup(h.nextRequestId++, { groupId: 'g', members: [{ memberId }] }, nowMs)
  h.collect()
}

test('a member leaving answers the others held heartbeats with REBALANCE_IN_PROGRESS at once', () => {
  const h = new Harness()
  const [first, second] = stablePair(h)
  const held = heldHeartbeat(h, 100, second, 300)
  assert.not.ok(h.answered(held), 'held while nothing happens')
  leave(h, 150, first)
  assert.is(h.code(held), REBALANCE_IN_PROGRESS.code)
})

test('a member joining answers held heartbeats at once too', () => {
  const h = new Harness()
  const [first] = stablePair(h)
  const held = heldHeartbeat(h, 100, first, 300)
  h.join(120)
  assert.is(h.code(held), REBALANCE_IN_PROGRESS.code)
})

test('with nothing happening, the hold ends at its deadline with 0; nextDeadlineMs names it', () => {
  const h = new Harness()
  const [first] = stablePair(h)
  const held = heldHeartbeat(h, 100, first, 200)
  assert.is(h.coordinator.nextDeadlineMs(), 300)
  h.tick(299)
  assert.not.ok(h.answered(held))
  h.tick(300)
  assert.is(h.code(held), 0)
  assert.is(h.group.state, 'stable')
})

test('the hold is at most half the session, so a held member is never expired for silence', () => {
  const h = new Harness()
  const [first] = stablePair(h)
  const held = heldHeartbeat(h, 100, first, 60_000)
  assert.is(h.coordinator.nextDeadlineMs(), 100 + sessionTimeoutMs / 2)
  h.tick(100 + sessionTimeoutMs / 2)
  assert.is(h.code(held), 0)
})

test('a newer heartbeat releases the held one; the member itself leaving answers its own UNKNOWN_MEMBER_ID', () => {
  const h = new Harness()
  const [first] = stablePair(h)
  const older = heldHeartbeat(h, 100, first, 300)
  const newer = heldHeartbeat(h, 110, first, 300)
  assert.is(h.code(older), 0)
  assert.not.ok(h.answered(newer))
  leave(h, 120, first)
  assert.is(h.code(newer), UNKNOWN_MEMBER_ID.code)
})

test('without maxWaitMs a heartbeat is answered at once, as before', () => {
  const h = new Harness()
  const [first] = stablePair(h)
  assert.is(h.heartbeat(100, first, 2), 0)
})

test.run()
