// Proves the leader's step: subscriptions decoded from JoinGroup metadata (bad bytes are INCONSISTENT_GROUP_PROTOCOL), the chosen assignor found among those offered, and one encoded assignment per member covering every partition once.
import { decodeConsumerAssignment, encodeConsumerSubscription, isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { rangeAssignor, roundRobinAssignor } from '../../src/assignors/index.js'
import {
  chooseAssignor,
  computeGroupAssignment,
  decodeMembers,
  subscribedTopics,
} from '../../src/groups/leader-assignment.js'

const subscription = (topics: string[]) =>
  encodeConsumerSubscription({ topics, ownedPartitions: new Map(), generationId: -1 })

test('decodes members, lists subscribed topics, assigns every partition once', () => {
  const members = decodeMembers([
    { memberId: 'm1', metadata: subscription(['orders', 'audit']) },
    { memberId: 'm2', metadata: subscription(['orders']) },
  ])
  assert.equal(subscribedTopics(members), ['audit', 'orders'])
  const assignments = computeGroupAssignment(
    rangeAssignor,
    members,
    new Map([
      ['orders', 4],
      ['audit', 1],
    ]),
  )
  assert.equal(
    assignments.map(({ memberId, assignment }) => [
      memberId,
      [...decodeConsumerAssignment(assignment).partitions],
    ]),
    [
      [
        'm1',
        [
          ['audit', [0]],
          ['orders', [0, 1]],
        ],
      ],
      ['m2', [['orders', [2, 3]]]],
    ],
  )
})

test('bad subscription bytes and an unoffered protocol are typed errors', () => {
  try {
    decodeMembers([{ memberId: 'm1', metadata: Buffer.from([1, 2, 3]) }])
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'INCONSISTENT_GROUP_PROTOCOL'), String(error))
  }
  assert.is(chooseAssignor([rangeAssignor, roundRobinAssignor], 'roundrobin'), roundRobinAssignor)
  try {
    chooseAssignor([rangeAssignor], 'cooperative-sticky')
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'INCONSISTENT_GROUP_PROTOCOL'), String(error))
  }
})

test.run()
