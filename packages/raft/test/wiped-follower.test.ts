// A follower that lost its whole log (a wiped data dir) gets it back from the leader without new proposals.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TestCluster } from './helpers.js'

const voters = [1, 2, 3]

test('a wiped follower is probed again and gets the whole log by appends, with nothing new proposed', () => {
  const cluster = new TestCluster(voters)
  cluster.elect(1)
  for (let i = 0; i < 5; i++) cluster.propose(1, [2, 1])
  assert.is(cluster.node(1).progress().get(3)!.match, cluster.node(1).lastIndex)
  cluster.wipe(3)
  assert.is(cluster.node(3).lastIndex, -1)
  cluster.tickAll(5)
  assert.equal(cluster.logOf(3), cluster.logOf(1))
  assert.is(cluster.node(3).commitIndex, cluster.node(1).commitIndex)
  assert.is(cluster.node(1).progress().get(3)!.state, 'replicate')
})

test('a wiped follower below the leader window is restored from the leader, keeping nothing', () => {
  const cluster = new TestCluster(voters, { windowBytesMax: 8 })
  cluster.elect(1)
  for (let i = 0; i < 10; i++) cluster.propose(1, [2, 1])
  assert.ok(cluster.node(1).windowStart > 0)
  cluster.wipe(3)
  cluster.tickAll(5)
  const restores = cluster.nodes.get(3)!.readies.filter((ready) => ready.restore !== undefined)
  assert.is(restores.length, 1)
  assert.is(restores[0]!.restore!.keepThrough, -1)
  assert.equal(cluster.logOf(3), cluster.logOf(1))
  assert.is(cluster.node(3).commitIndex, cluster.node(1).commitIndex)
})

test('the leader forgets the match a wiped follower no longer holds', () => {
  const cluster = new TestCluster(voters)
  cluster.elect(1)
  cluster.propose(1, [1, 1])
  cluster.isolate(2)
  cluster.wipe(3)
  cluster.tickAll(1)
  // The leader no longer counts 3's old match toward commit.
  assert.ok(cluster.node(1).progress().get(3)!.match <= cluster.node(3).lastIndex)
  cluster.tickAll(3)
  assert.equal(cluster.logOf(3), cluster.logOf(1))
})

test('an intact follower answering heartbeats keeps its progress: no probe, no resend', () => {
  const cluster = new TestCluster(voters)
  cluster.elect(1)
  cluster.propose(1, [1, 2])
  const before = cluster.sent.length
  cluster.tickAll(3)
  const appends = cluster.sent.slice(before).filter((message) => message.type === 'append')
  assert.is(appends.length, 0)
  assert.is(cluster.node(1).progress().get(3)!.state, 'replicate')
})

test.run()
