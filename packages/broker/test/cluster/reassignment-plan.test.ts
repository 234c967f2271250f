// Proves a partition leader moves its group to the target one single-server change at a time: adds first, removes only once every added replica holds everything committed, hands leadership over before removing itself, waits while a change is uncommitted, and completes only at the target.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type GroupMembership, nextReassignmentStep } from '../../src/cluster/reassignment-plan.js'

function group(voters: number[], caughtUp: number[] = voters, extra: Partial<GroupMembership> = {}) {
  return {
    selfId: 1,
    voters,
    configPending: false,
    holdsCommitted: (id: number) => caughtUp.includes(id),
    ...extra,
  }
}

test('adds each missing target member first, in target order', () => {
  assert.equal(nextReassignmentStep(group([1, 2, 3]), [1, 2, 3], [1, 2, 4, 5]), { action: 'add', broker: 4 })
  assert.equal(nextReassignmentStep(group([1, 2, 3, 4]), [1, 2, 3], [1, 2, 4, 5]), {
    action: 'add',
    broker: 5,
  })
})

test('nothing while the last change is uncommitted (the core allows one at a time)', () => {
  const step = nextReassignmentStep(
    group([1, 2, 3, 4], [1, 2, 3], { configPending: true }),
    [1, 2, 3],
    [1, 2, 4],
  )
  assert.is(step.action, 'wait')
})

test('removes an old member only once every added one holds everything committed', () => {
  const behind = nextReassignmentStep(group([1, 2, 3, 4], [1, 2, 3]), [1, 2, 3], [1, 2, 4])
  assert.equal(behind, { action: 'wait', why: 'broker 4 is still catching up' })
  const caughtUp = nextReassignmentStep(group([1, 2, 3, 4]), [1, 2, 3], [1, 2, 4])
  assert.equal(caughtUp, { action: 'remove', broker: 3 })
})

test('an original member that is down does not hold the move back (only added ones are waited for)', () => {
  assert.equal(nextReassignmentStep(group([1, 2, 3, 4], [1, 4]), [1, 2, 3], [1, 2, 4]), {
    action: 'remove',
    broker: 3,
  })
})

test('a leader leaving the group hands over to a caught-up target member first', () => {
  assert.equal(nextReassignmentStep(group([1, 2, 3, 4]), [1, 2, 3], [4, 2, 3]), { action: 'transfer', to: 4 })
  assert.equal(nextReassignmentStep(group([1, 2, 3, 4], [1, 2, 4]), [1, 2, 3], [3, 2, 4]), {
    action: 'transfer',
    to: 2,
  })
  assert.is(nextReassignmentStep(group([1, 2], [1]), [1], [2]).action, 'wait')
})

test('complete once the config has exactly the target brokers (order aside); shrinking needs no adds', () => {
  assert.equal(nextReassignmentStep(group([1, 2, 4]), [1, 2, 3], [4, 2, 1]), { action: 'complete' })
  assert.equal(nextReassignmentStep(group([1, 2, 3]), [1, 2, 3], [1]), { action: 'remove', broker: 2 })
  assert.equal(nextReassignmentStep(group([1, 3]), [1, 2, 3], [1]), { action: 'remove', broker: 3 })
  assert.equal(nextReassignmentStep(group([1]), [1, 2, 3], [1]), { action: 'complete' })
})

test('a replaced target moves on from wherever the group is: added members of the old one go too', () => {
  // Moving 1,2,3 -> 1,2,4 had added 4; the new target is 1,2,5.
  assert.equal(nextReassignmentStep(group([1, 2, 3, 4]), [1, 2, 3], [1, 2, 5]), { action: 'add', broker: 5 })
  assert.equal(nextReassignmentStep(group([1, 2, 3, 4, 5]), [1, 2, 3], [1, 2, 5]), {
    action: 'remove',
    broker: 3,
  })
})

test.run()
