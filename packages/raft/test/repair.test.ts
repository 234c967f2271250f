// Proves a node whose log lost entries (repairThrough) neither votes nor leads until it holds them again, and that a host can keep a node from leading (setPromotable) while it still votes.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Message, RaftNode } from '../src/index.js'
import { drain, entries, options, storageWith, TestCluster } from './helpers.js'
import type { MemoryStorage } from './sim/memory-storage.js'

const voters = [1, 2, 3]

/** A node whose log holds indexes 0..2 of term 1 and once held up to `repairThrough`. */
function damaged(repairThrough: number | undefined): RaftNode {
  const storage = storageWith(voters, entries(0, [[1, 3]]), { term: 1, vote: 0, commit: 2 })
  const state = storage.restoredState(0)
  return new RaftNode(options(1), repairThrough === undefined ? state : { ...state, repairThrough })
}

const granted = (messages: readonly Message[]) =>
  messages
    .filter((message) => 'granted' in message)
    .map((message) => (message as { granted: boolean }).granted)

test('a repairing node grants no vote or pre-vote, even to an up-to-date candidate', () => {
  for (const type of ['vote', 'preVote'] as const) {
    const healthy = damaged(undefined)
    const repairing = damaged(9)
    for (const node of [healthy, repairing]) {
      node.step({ type, from: 2, to: 1, term: 2, lastIndex: 20, lastTerm: 2, transfer: false })
    }
    assert.equal(granted(drain(healthy)), [true], `${type}: a healthy node grants`)
    assert.equal(granted(drain(repairing)), [false], `${type}: a repairing node refuses`)
    assert.ok(repairing.repairing)
  }
})

test('a repairing node never campaigns: not by timeout, not by campaign(), not on timeoutNow', () => {
  const node = damaged(9)
  node.campaign()
  for (let tick = 0; tick < 100; tick++) node.tick()
  node.step({ type: 'timeoutNow', from: 2, to: 1, term: 1 })
  assert.is(node.role, 'follower')
  assert.equal(
    drain(node).filter((message) => message.type === 'vote' || message.type === 'preVote'),
    [],
  )
  const healthy = damaged(undefined)
  for (let tick = 0; tick < 100; tick++) healthy.tick()
  assert.is.not(healthy.role, 'follower', 'the same node without repairThrough campaigns')
})

test('repair ends once the leader has filled the log up to repairThrough; then it votes and may lead', () => {
  const storages = new Map<number, MemoryStorage>()
  const cluster = new TestCluster(voters, {}, storages)
  cluster.elect(1)
  cluster.propose(1, [1, 1, 1, 1, 1])
  // Node 3 comes back from a cut: it held everything up to the leader's last index, and kept 2.
  const storage = cluster.nodes.get(3)!.storage
  const lost = cluster.node(1).lastIndex
  storage.entries.splice(2)
  storage.hardState = { ...storage.hardState, commit: 1 }
  cluster.nodes.get(3)!.raft = new RaftNode(options(3), { ...storage.restoredState(0), repairThrough: lost })
  assert.ok(cluster.node(3).repairing)
  cluster.tickAll(3) // heartbeats: the leader probes and re-sends what node 3 lacks
  assert.is(cluster.node(3).lastIndex, lost)
  assert.not.ok(cluster.node(3).repairing)
  cluster.node(1).transferLeadership(3)
  cluster.stabilize()
  assert.is(cluster.node(3).role, 'leader', 'repaired, it takes a leadership transfer')
})

test('a transfer to a repairing node does not make it leader; the old leader keeps leading', () => {
  const cluster = new TestCluster(voters)
  cluster.elect(1)
  cluster.propose(1, [1, 1])
  const storage = cluster.nodes.get(2)!.storage
  // Node 2 says it lost entries beyond what anyone ever had: it stays repairing.
  cluster.nodes.get(2)!.raft = new RaftNode(options(2), { ...storage.restoredState(0), repairThrough: 50 })
  cluster.node(1).transferLeadership(2)
  cluster.stabilize()
  assert.is(cluster.node(2).role, 'follower')
  cluster.tickAll(25) // the transfer is abandoned after electionTicks
  assert.is(cluster.leaders().length, 1)
  assert.not.equal(cluster.leaders(), [2])
})

test('a committed entry of a later term than the loss ends repair (its leader held every committed entry)', () => {
  const cluster = new TestCluster(voters)
  cluster.elect(1)
  cluster.propose(1, [1, 1])
  const storage = cluster.nodes.get(3)!.storage
  cluster.nodes.get(3)!.raft = new RaftNode(options(3), { ...storage.restoredState(0), repairThrough: 500 })
  assert.ok(cluster.node(3).repairing)
  cluster.node(1).transferLeadership(2) // a new term: node 2's no-op commits on node 3 too
  cluster.stabilize()
  cluster.tickAll(2)
  assert.is(cluster.node(2).role, 'leader')
  assert.not.ok(cluster.node(3).repairing)
})

test('setPromotable(false): the node never campaigns or takes a transfer, but still votes', () => {
  const cluster = new TestCluster(voters)
  cluster.node(2).setPromotable(false)
  cluster.node(2).campaign()
  cluster.stabilize()
  assert.is(cluster.leaders().length, 0)
  cluster.elect(1)
  cluster.node(1).transferLeadership(2)
  cluster.stabilize()
  assert.equal(cluster.leaders(), [1])
  // Only 2 and 3 are left: 3 can win only with 2's vote.
  cluster.isolate(1)
  cluster.tickAll(60)
  assert.equal(
    cluster.leaders().filter((id) => id !== 1),
    [3],
  )
  cluster.node(2).setPromotable(true)
  cluster.heal()
  cluster.node(3).transferLeadership(2)
  cluster.stabilize()
  assert.is(cluster.node(2).role, 'leader')
})

test.run()
