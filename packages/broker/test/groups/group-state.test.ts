// Proves the group state machine's transitions (empty → preparing → completing → stable → empty/dead), generation fencing, session/rebalance/sync timeouts via tick, static membership and the partition-growth trigger, with time passed in.
import { ErrorCodes, encodeConsumerSubscription } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Harness, rebalanceTimeoutMs, sessionTimeoutMs, subscription } from './support.js'

const {
  REBALANCE_IN_PROGRESS,
  ILLEGAL_GENERATION,
  UNKNOWN_MEMBER_ID,
  INVALID_REQUEST,
  INVALID_SESSION_TIMEOUT,
  INCONSISTENT_GROUP_PROTOCOL,
  GROUP_MAX_SIZE_REACHED,
  FENCED_INSTANCE_ID,
} = ErrorCodes

test('empty → preparing → completing on the first join; the leader gets every member; sync makes it stable and stores it', () => {
  const h = new Harness()
  const join = h.join(0)
  const answer = h.joinAnswer(join)
  assert.is(answer.errorCode, 0)
  assert.is(answer.memberId, 'app-1')
  assert.is(answer.generationId, 1)
  assert.is(answer.leader, 'app-1')
  assert.is(answer.protocolName, 'range')
  assert.equal(answer.members, [{ memberId: 'app-1', metadata: subscription(['orders']) }])
  assert.is(h.group.state, 'completing-rebalance')
  assert.is(h.records.length, 0)
  const sync = h.sync(1, 'app-1', 1, [['app-1', 'p0,p1']])
  assert.is(h.group.state, 'stable')
  assert.equal(h.syncAnswer(sync).assignment, Buffer.from('p0,p1'))
  assert.is(h.records.length, 1, 'the stable generation is stored')
  assert.equal(
    h.events.map((event) => event.type),
    ['rebalance-started', 'generation-stable'],
  )
})

test('a second member starts a rebalance: heartbeats say REBALANCE_IN_PROGRESS, joins wait for everyone, follower syncs wait for the leader', () => {
  const h = new Harness()
  const first = h.startStable(0)
  const secondJoin = h.join(10)
  assert.is(h.group.state, 'preparing-rebalance')
  assert.not.ok(h.answered(secondJoin), 'held until the first member rejoins')
  assert.is(h.heartbeat(20, first, 1), REBALANCE_IN_PROGRESS.code)
  const firstJoin = h.join(30, first)
  const leaderAnswer = h.joinAnswer(firstJoin)
  const followerAnswer = h.joinAnswer(secondJoin)
  assert.is(leaderAnswer.generationId, 2)
  assert.is(leaderAnswer.leader, first, 'the leader stays leader')
  assert.is(leaderAnswer.members.length, 2)
  assert.is(followerAnswer.members.length, 0)
  assert.is(h.group.state, 'completing-rebalance')
  const second = followerAnswer.memberId
  const followerSync = h.sync(40, second, 2)
  assert.not.ok(h.answered(followerSync))
  assert.is(h.heartbeat(45, second, 2), 0, 'heartbeats while completing are fine')
  const leaderSync = h.sync(50, first, 2, [
    [first, 'a'],
    [second, 'b'],
  ])
  assert.equal(h.syncAnswer(followerSync).assignment, Buffer.from('b'))
  assert.equal(h.syncAnswer(leaderSync).assignment, Buffer.from('a'))
  assert.is(h.group.state, 'stable')
  assert.is(h.heartbeat(60, second, 2), 0)
  const late = h.sync(70, second, 2)
  assert.equal(h.syncAnswer(late).assignment, Buffer.from('b'), 'a sync in stable answers at once')
})

test('fencing: old generation is ILLEGAL_GENERATION, unknown member UNKNOWN_MEMBER_ID, sync while preparing REBALANCE_IN_PROGRESS', () => {
  const h = new Harness()
  const first = h.startStable(0)
  assert.is(h.heartbeat(1, first, 0), ILLEGAL_GENERATION.code)
  assert.is(h.heartbeat(1, 'nobody', 1), UNKNOWN_MEMBER_ID.code)
  assert.is(h.code(h.sync(1, first, 7)), ILLEGAL_GENERATION.code)
  assert.is(h.code(h.join(2, 'nobody')), UNKNOWN_MEMBER_ID.code)
  h.join(3)
  assert.is(h.code(h.sync(4, first, 1)), REBALANCE_IN_PROGRESS.code)
})

test('session timeout: a silent member is removed at its deadline and the group rebalances without it', () => {
  const h = new Harness()
  const first = h.startStable(0)
  const secondJoin = h.join(100)
  h.join(100, first)
  const second = h.joinAnswer(secondJoin).memberId
  h.sync(100, second, 2)
  h.sync(100, first, 2, [
    [first, 'a'],
    [second, 'b'],
  ])
  assert.is(h.coordinator.nextDeadlineMs(), 100 + sessionTimeoutMs)
  h.heartbeat(600, first, 2)
  h.tick(100 + sessionTimeoutMs - 1)
  assert.is(h.group.members.size, 2, 'not before the deadline')
  h.tick(100 + sessionTimeoutMs)
  assert.is(h.group.members.size, 1)
  assert.is(h.group.state, 'preparing-rebalance')
  assert.is(h.heartbeat(1200, second, 2), UNKNOWN_MEMBER_ID.code)
  assert.is(h.heartbeat(1200, first, 2), REBALANCE_IN_PROGRESS.code)
  const rejoin = h.joinAnswer(h.join(1300, first))
  assert.is(rejoin.generationId, 3)
  assert.equal(
    rejoin.members.map((member) => member.memberId),
    [first],
  )
})

test('rebalance timeout: members that did not rejoin in time are removed and the join completes for the rest', () => {
  const h = new Harness({ maxSessionTimeoutMs: 100_000 })
  const first = h.startStable(0, { sessionTimeoutMs: 60_000 })
  const secondJoin = h.join(1000, '', { sessionTimeoutMs: 60_000 })
  assert.is(h.coordinator.nextDeadlineMs(), 1000 + rebalanceTimeoutMs)
  h.tick(1000 + rebalanceTimeoutMs - 1)
  assert.not.ok(h.answered(secondJoin))
  h.tick(1000 + rebalanceTimeoutMs)
  const answer = h.joinAnswer(secondJoin)
  assert.is(answer.errorCode, 0)
  assert.is(answer.leader, answer.memberId, 'the old leader is gone; the first remaining member leads')
  assert.not.ok(h.group.members.has(first))
  assert.is(h.group.state, 'completing-rebalance')
})

test('sync timeout: a leader that never sends SyncGroup is removed and the group rebalances; held syncs get REBALANCE_IN_PROGRESS', () => {
  const h = new Harness({ maxSessionTimeoutMs: 100_000 })
  const first = h.startStable(0, { sessionTimeoutMs: 60_000 })
  const secondJoin = h.join(0, '', { sessionTimeoutMs: 60_000 })
  h.join(0, first, { sessionTimeoutMs: 60_000 })
  const second = h.joinAnswer(secondJoin).memberId
  const held = h.sync(1, second, 2)
  h.tick(rebalanceTimeoutMs)
  assert.is(h.code(held), REBALANCE_IN_PROGRESS.code)
  assert.not.ok(h.group.members.has(first))
  assert.ok(h.group.members.has(second))
  assert.is(h.group.state, 'preparing-rebalance')
})

test('leave: the group rebalances at once; the last member leaving empties it with a new generation', () => {
  const h = new Harness()
  const first = h.startStable(0)
  const leave = h.nextRequestId++
  h.coordinator.leaveGroup(leave, { groupId: 'g', members: [{ memberId: first }, { memberId: 'ghost' }] }, 5)
  h.collect()
  const answer = h.responses.get(leave)
  assert.ok(answer?.api === 'LeaveGroup')
  assert.equal(
    answer.response.members.map((member) => member.errorCode),
    [0, UNKNOWN_MEMBER_ID.code],
  )
  assert.is(h.group.state, 'empty')
  assert.is(h.group.generationId, 2)
  assert.is(h.coordinator.nextDeadlineMs(), undefined)
})

test('static member restarting within the session timeout takes over its assignment without a rebalance; the old id is fenced', () => {
  const h = new Harness()
  const old = h.startStable(0, { groupInstanceId: 'pod-1' })
  const stored = h.records.length
  const rejoin = h.joinAnswer(h.join(500, '', { groupInstanceId: 'pod-1' }))
  assert.is(rejoin.generationId, 1, 'same generation: no rebalance')
  assert.is(h.group.state, 'stable')
  assert.is(rejoin.skipAssignment, true, 'it was leader: it must not reassign')
  assert.is(rejoin.leader, rejoin.memberId)
  assert.is.not(rejoin.memberId, old)
  assert.is(h.records.length, stored + 1, 'the new member id is stored')
  assert.equal(h.syncAnswer(h.sync(510, rejoin.memberId, 1, [], 'pod-1')).assignment, Buffer.from('all'))
  assert.is(h.heartbeat(520, old, 1, 'pod-1'), FENCED_INSTANCE_ID.code)
  assert.is(h.heartbeat(520, old, 1), UNKNOWN_MEMBER_ID.code, 'without its instance id: simply unknown')
  assert.is(h.heartbeat(520, rejoin.memberId, 1, 'pod-1'), 0)
  assert.not.ok(
    h.events.some((event) => event.type === 'rebalance-started' && event.detail.includes('pod-1')),
  )
  const stale = h.join(530, old, { groupInstanceId: 'pod-1' })
  assert.is(
    h.code(stale),
    FENCED_INSTANCE_ID.code,
    'the replaced instance rejoining with its old id is fenced',
  )
  assert.is(h.group.state, 'stable', 'and causes no rebalance')
})

test('static member that owned partitions restarts with an empty owned set and a fresh generation: still no rebalance', () => {
  const h = new Harness()
  const owning = encodeConsumerSubscription({
    topics: ['orders'],
    ownedPartitions: new Map([['orders', [0, 1, 2]]]),
    generationId: 1,
  })
  h.startStable(0, { groupInstanceId: 'pod-1', protocols: [{ name: 'range', metadata: owning }] })
  const rejoin = h.joinAnswer(h.join(500, '', { groupInstanceId: 'pod-1' }))
  assert.is(rejoin.generationId, 1, 'same generation: no rebalance')
  assert.is(h.group.state, 'stable')
})

test('static member with a changed subscription, or back after its session expired, rebalances', () => {
  const h = new Harness()
  h.startStable(0, { groupInstanceId: 'pod-1' })
  const changed = h.join(100, '', {
    groupInstanceId: 'pod-1',
    protocols: [{ name: 'range', metadata: subscription(['orders', 'refunds']) }],
  })
  assert.is(h.joinAnswer(changed).generationId, 2)
  const member = h.joinAnswer(changed).memberId
  h.sync(100, member, 2, [[member, 'x']], 'pod-1')
  h.tick(100 + sessionTimeoutMs)
  assert.is(h.group.state, 'empty', 'session expired: removed')
  const back = h.joinAnswer(h.join(2000, '', { groupInstanceId: 'pod-1' }))
  assert.is(back.generationId, 4)
})

test('leave by groupInstanceId alone; a fenced instance cannot leave for the new member', () => {
  const h = new Harness()
  const old = h.startStable(0, { groupInstanceId: 'pod-1' })
  const current = h.joinAnswer(h.join(10, '', { groupInstanceId: 'pod-1' })).memberId
  const fenced = h.nextRequestId++
  h.coordinator.leaveGroup(
    fenced,
    { groupId: 'g', members: [{ memberId: old, groupInstanceId: 'pod-1' }] },
    20,
  )
  const byInstance = h.nextRequestId++
  h.coordinator.leaveGroup(
    byInstance,
    { groupId: 'g', members: [{ memberId: '', groupInstanceId: 'pod-1' }] },
    20,
  )
  h.collect()
  assert.is(h.responses.get(fenced)?.response.errorCode, 0)
  const fencedAnswer = h.responses.get(fenced)
  assert.ok(fencedAnswer?.api === 'LeaveGroup')
  assert.is(fencedAnswer.response.members[0]?.errorCode, FENCED_INSTANCE_ID.code)
  assert.not.ok(h.group.members.has(current))
  assert.is(h.group.state, 'empty')
})

test('a subscribed topic gaining partitions rebalances a stable group; an unrelated topic does not', () => {
  const h = new Harness()
  const first = h.startStable(0)
  assert.equal(h.coordinator.partitionsGrew('payments', 5), [])
  assert.is(h.group.state, 'stable')
  assert.equal(h.coordinator.partitionsGrew('orders', 5), ['g'])
  assert.is(h.heartbeat(6, first, 1), REBALANCE_IN_PROGRESS.code)
})

/** Two members, stable at generation 2: [leader, follower]. */
function twoStable(h: Harness): [string, string] {
  const first = h.startStable(0)
  const secondJoin = h.join(0)
  h.join(0, first)
  const second = h.joinAnswer(secondJoin).memberId
  h.sync(0, second, 2)
  h.sync(0, first, 2, [
    [first, 'a'],
    [second, 'b'],
  ])
  return [first, second]
}

test('the stable leader rejoining starts a rebalance; a follower rejoining unchanged while completing gets its answer again', () => {
  const h = new Harness()
  const [first, second] = twoStable(h)
  assert.is(
    h.joinAnswer(h.join(1, second)).generationId,
    2,
    'an unchanged follower in stable: current generation',
  )
  assert.is(h.group.state, 'stable')
  const leaderJoin = h.join(2, first)
  assert.is(h.group.state, 'preparing-rebalance')
  h.join(3, second)
  assert.is(h.joinAnswer(leaderJoin).generationId, 3)
  const again = h.joinAnswer(h.join(4, second))
  assert.is(again.generationId, 3)
  assert.is(again.errorCode, 0)
  assert.is(h.group.state, 'completing-rebalance')
})

test('JoinGroup refusals: session timeout range, inconsistent protocol, unreadable subscription, full group', () => {
  const h = new Harness({ maxGroupMembers: 1, minSessionTimeoutMs: 100, maxSessionTimeoutMs: 10_000 })
  assert.is(h.code(h.join(0, '', { sessionTimeoutMs: 50 })), INVALID_SESSION_TIMEOUT.code)
  assert.is(
    h.code(h.join(0, '', { protocols: [{ name: 'range', metadata: Buffer.from([1]) }] })),
    INVALID_REQUEST.code,
  )
  h.startStable(0)
  assert.is(h.code(h.join(1, '', { protocolType: 'connect' })), INCONSISTENT_GROUP_PROTOCOL.code)
  assert.is(
    h.code(h.join(1, '', { protocols: [{ name: 'sticky', metadata: subscription(['orders']) }] })),
    INCONSISTENT_GROUP_PROTOCOL.code,
  )
  assert.is(h.code(h.join(1)), GROUP_MAX_SIZE_REACHED.code)
})

test('the chosen protocol is one every member supports, by most first preferences', () => {
  const h = new Harness()
  const metadata = subscription(['orders'])
  const first = h.joinAnswer(
    h.join(0, '', {
      protocols: [
        { name: 'cooperative-sticky', metadata },
        { name: 'range', metadata },
      ],
    }),
  )
  assert.is(first.protocolName, 'cooperative-sticky')
  h.sync(0, first.memberId, 1, [])
  const second = h.join(1, '', { protocols: [{ name: 'range', metadata }] })
  h.join(1, first.memberId, {
    protocols: [
      { name: 'cooperative-sticky', metadata },
      { name: 'range', metadata },
    ],
  })
  assert.is(h.joinAnswer(second).protocolName, 'range')
})

test('initial rebalance delay: the first rebalance of an empty group waits for more members until tick', () => {
  const h = new Harness({ initialRebalanceDelayMs: 300 })
  const a = h.join(0)
  const b = h.join(100)
  assert.not.ok(h.answered(a))
  // b restarted the delay: 100 + 300.
  assert.is(h.coordinator.nextDeadlineMs(), 400)
  h.tick(400)
  assert.is(h.joinAnswer(a).generationId, 1)
  assert.is(h.joinAnswer(b).generationId, 1)
  assert.is(h.joinAnswer(a).members.length, 2)
})

test('initial rebalance delay: each member that joins during it restarts it, up to the rebalance timeout', () => {
  const h = new Harness({ initialRebalanceDelayMs: 300 })
  const joined = [h.join(0), h.join(250)]
  h.tick(500)
  // 250 ms after the second join: still waiting, so a third member 350 ms after the first gets in.
  assert.not.ok(h.answered(joined[0]!))
  joined.push(h.join(520))
  assert.is(h.coordinator.nextDeadlineMs(), 820)
  h.tick(820)
  assert.equal(
    joined.map((request) => h.joinAnswer(request).generationId),
    [1, 1, 1],
  )
  // Joins every 200 ms forever cannot hold the group past the rebalance timeout (5,000 ms here).
  const h2 = new Harness({ initialRebalanceDelayMs: 300 })
  const first = h2.join(0)
  for (let at = 200; at < 6000 && !h2.answered(first); at += 200) {
    h2.tick(at)
    if (!h2.answered(first)) h2.join(at)
  }
  assert.ok(h2.answered(first), 'answered by the rebalance timeout')
})

test('a newer JoinGroup from the same member replaces the held one, which gets REBALANCE_IN_PROGRESS', () => {
  const h = new Harness()
  const [first, second] = twoStable(h)
  const older = h.join(1, first)
  const newer = h.join(2, first)
  assert.is(h.code(older), REBALANCE_IN_PROGRESS.code)
  assert.not.ok(h.answered(newer))
  h.join(3, second)
  assert.is(h.joinAnswer(newer).generationId, 3)
})

test.run()
