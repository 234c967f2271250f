// Proves the member's decisions: every group error maps to rediscover, retry, rejoin (keeping or resetting the member id, partitions kept or lost) or stop; eager protocols revoke everything before a join and cooperative ones nothing; an assignment that lost partitions asks for an immediate rejoin only under the cooperative protocol; a scripted cooperative rebalance from 2 to 3 members never gives a partition to two members at once and settles in two rounds.
import {
  decodeConsumerAssignment,
  ErrorCodes,
  type ErrorName,
  encodeConsumerSubscription,
  type JoinGroupMember,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { cooperativeStickyAssignor } from '../../src/assignors/index.js'
import { computeGroupAssignment, decodeMembers } from '../../src/groups/leader-assignment.js'
import {
  actionForError,
  assignmentChange,
  flatten,
  isCooperativeProtocol,
  pollIntervalExceeded,
  revokeBeforeJoin,
  withoutPartitions,
} from '../../src/groups/membership-decisions.js'

const retriable = (code: ErrorName) => ErrorCodes[code].retriable

test('each group error has its action', () => {
  const cases: [ErrorName, string][] = [
    ['NOT_COORDINATOR', 'rediscover'],
    ['CONNECTION_CLOSED', 'rediscover'],
    ['REQUEST_TIMED_OUT', 'rediscover'],
    ['BROKER_UNAVAILABLE', 'rediscover'],
    ['BROKER_SHUTTING_DOWN', 'rediscover'],
    ['COORDINATOR_LOAD_IN_PROGRESS', 'retry'],
    ['STORAGE_ERROR', 'retry'],
    ['REBALANCE_IN_PROGRESS', 'rejoin'],
    ['ILLEGAL_GENERATION', 'rejoin'],
    ['UNKNOWN_MEMBER_ID', 'rejoin'],
    ['FENCED_INSTANCE_ID', 'fatal'],
    ['INVALID_SESSION_TIMEOUT', 'fatal'],
    ['INCONSISTENT_GROUP_PROTOCOL', 'fatal'],
    ['GROUP_MAX_SIZE_REACHED', 'fatal'],
    ['CLIENT_CLOSED', 'closed'],
  ]
  for (const [code, kind] of cases)
    for (const phase of ['join', 'sync', 'heartbeat'] as const)
      assert.is(actionForError(code, retriable(code), phase).kind, kind, `${code} in ${phase}`)
})

test('rejoin details: REBALANCE_IN_PROGRESS keeps id and partitions, ILLEGAL_GENERATION loses partitions, UNKNOWN_MEMBER_ID also resets the id', () => {
  assert.equal(actionForError('REBALANCE_IN_PROGRESS', true, 'heartbeat'), {
    kind: 'rejoin',
    resetMemberId: false,
    partitionsLost: false,
  })
  assert.equal(actionForError('ILLEGAL_GENERATION', false, 'sync'), {
    kind: 'rejoin',
    resetMemberId: false,
    partitionsLost: true,
  })
  assert.equal(actionForError('UNKNOWN_MEMBER_ID', false, 'heartbeat'), {
    kind: 'rejoin',
    resetMemberId: true,
    partitionsLost: true,
  })
  assert.is(actionForError('UNKNOWN_MEMBER_ID', false, 'leave').kind, 'closed')
})

test('eager protocols revoke everything before a join; cooperative nothing unless lost', () => {
  const owned = new Map([
    ['b', [1, 0]],
    ['a', [2]],
  ])
  const all = [
    { topic: 'a', partition: 2 },
    { topic: 'b', partition: 0 },
    { topic: 'b', partition: 1 },
  ]
  assert.equal(revokeBeforeJoin('range', owned, false), all)
  assert.equal(revokeBeforeJoin('roundrobin', owned, false), all)
  assert.equal(revokeBeforeJoin(undefined, owned, false), all)
  assert.equal(revokeBeforeJoin('cooperative-sticky', owned, false), [])
  assert.equal(revokeBeforeJoin('cooperative-sticky', owned, true), all)
  assert.ok(isCooperativeProtocol('cooperative-sticky'))
  assert.not.ok(isCooperativeProtocol('range'))
})

test('assignment change: revoked, added, owned, and rejoinNow only for cooperative losses', () => {
  const owned = new Map([['t', [0, 1, 2]]])
  const assigned = new Map([['t', [1, 2, 3]]])
  const change = assignmentChange('cooperative-sticky', owned, assigned)
  assert.equal(change.revoked, [{ topic: 't', partition: 0 }])
  assert.equal(change.added, [{ topic: 't', partition: 3 }])
  assert.equal([...change.owned], [['t', [1, 2, 3]]])
  assert.ok(change.rejoinNow)
  assert.not.ok(assignmentChange('range', owned, assigned).rejoinNow)
  assert.not.ok(assignmentChange('cooperative-sticky', owned, new Map([['t', [0, 1, 2, 5]]])).rejoinNow)
  assert.equal([...withoutPartitions(owned, [{ topic: 't', partition: 1 }])], [['t', [0, 2]]])
})

test('poll interval: exceeded only past the limit', () => {
  assert.not.ok(pollIntervalExceeded(1000, 1500, 500))
  assert.ok(pollIntervalExceeded(1000, 1501, 500))
})

/** One cooperative rebalance as the coordinator and members would run it, pure. */
function rebalanceRound(
  owned: Map<string, Map<string, number[]>>,
  generationId: number,
  partitions: number,
): { owned: Map<string, Map<string, number[]>>; rejoin: boolean } {
  const members: JoinGroupMember[] = [...owned].map(([memberId, partitionsOwned]) => ({
    memberId,
    metadata: encodeConsumerSubscription({
      topics: ['orders'],
      ownedPartitions: partitionsOwned,
      generationId: partitionsOwned.size > 0 ? generationId - 1 : -1,
    }),
  }))
  const assignments = computeGroupAssignment(
    cooperativeStickyAssignor,
    decodeMembers(members),
    new Map([['orders', partitions]]),
  )
  const next = new Map<string, Map<string, number[]>>()
  let rejoin = false
  for (const { memberId, assignment } of assignments) {
    const change = assignmentChange(
      'cooperative-sticky',
      owned.get(memberId)!,
      decodeConsumerAssignment(assignment).partitions,
    )
    rejoin ||= change.rejoinNow
    next.set(memberId, change.owned)
  }
  return { owned: next, rejoin }
}

test('cooperative rebalance 2 → 3 members: never two owners, settles in two rounds, balanced', () => {
  let owned = new Map<string, Map<string, number[]>>([
    ['a', new Map()],
    ['b', new Map()],
  ])
  let round = rebalanceRound(owned, 1, 6)
  assert.not.ok(round.rejoin)
  owned = round.owned
  owned.set('c', new Map())
  round = rebalanceRound(owned, 2, 6)
  assert.ok(round.rejoin, 'a member lost partitions and rejoins at once')
  const counted = (state: Map<string, Map<string, number[]>>) =>
    [...state.values()].flatMap((partitions) => flatten(partitions).map((entry) => entry.partition))
  const first = counted(round.owned)
  assert.is(new Set(first).size, first.length, 'no partition owned twice')
  assert.ok(first.length < 6, 'moving partitions are held back for one round')
  round = rebalanceRound(round.owned, 3, 6)
  assert.not.ok(round.rejoin)
  assert.equal(counted(round.owned).sort(), [0, 1, 2, 3, 4, 5])
  for (const partitions of round.owned.values()) assert.is(flatten(partitions).length, 2)
})

test.run()
