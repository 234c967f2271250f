// Proves the rules of the Raft paper (and dissertation), one test per rule, as etcd's raft_paper_test.go.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Message, RaftNode } from '../src/index.js'
import { drain, entries, options, storageWith, TestCluster } from './helpers.js'
import { MemoryStorage } from './sim/memory-storage.js'

const voters = [1, 2, 3]

function lone(id: number, log = entries(0, [[1, 1]]), term = 1, extra = {}): RaftNode {
  const storage = storageWith(voters, log, { term, vote: 0, commit: -1 })
  return new RaftNode(options(id, extra), storage.restoredState(0))
}

type MessageOf<T extends Message['type']> = Message & { type: T }

function ofType<T extends Message['type']>(messages: readonly Message[], type: T): MessageOf<T>[] {
  return messages.filter((message): message is MessageOf<T> => message.type === type)
}

test('election safety: at most one leader per term when everyone campaigns at once', () => {
  for (const preVote of [true, false]) {
    const cluster = new TestCluster([1, 2, 3, 4, 5], { preVote })
    for (const id of cluster.ids) cluster.node(id).campaign()
    cluster.stabilize()
    for (let round = 0; round < 30; round++) cluster.tickAll()
    const byTerm = new Map<number, number>()
    for (const id of cluster.leaders())
      byTerm.set(cluster.node(id).term, (byTerm.get(cluster.node(id).term) ?? 0) + 1)
    for (const count of byTerm.values()) assert.is(count, 1)
    assert.is(cluster.leaders().length, 1)
  }
})

test('leader election: a campaigning node wins a majority and the others follow it', () => {
  const cluster = new TestCluster(voters)
  cluster.elect(1)
  assert.is(cluster.node(1).role, 'leader')
  assert.is(cluster.node(1).term, 1)
  for (const id of [2, 3]) {
    assert.is(cluster.node(id).role, 'follower')
    assert.is(cluster.node(id).leaderId, 1)
  }
  // The new leader's noop of its term is committed everywhere.
  assert.equal(cluster.logOf(2), [[0, 1, 1]])
  assert.is(cluster.node(2).commitIndex, 0)
})

test('leader election: an election timeout starts one, randomized in [electionTicks, 2 * electionTicks)', () => {
  const cluster = new TestCluster(voters)
  let ticks = 0
  while (cluster.leaders().length === 0 && ticks < 40) {
    cluster.tickAll()
    ticks++
  }
  assert.ok(ticks >= 10 && ticks < 20, `elected after ${ticks} ticks`)
})

test('follower updates its term from a message with a higher term', () => {
  const node = lone(1)
  node.step({ type: 'heartbeat', from: 2, to: 1, term: 5, commit: -1 })
  assert.is(node.term, 5)
  assert.is(node.role, 'follower')
  assert.is(node.leaderId, 2)
  const leader = new TestCluster(voters)
  leader.elect(1)
  const raft = leader.node(1)
  raft.step({
    type: 'appendResponse',
    from: 2,
    to: 1,
    term: 9,
    success: false,
    matchIndex: -1,
    rejectedPrevIndex: -1,
    hintIndex: -1,
    hintTerm: 0,
  })
  assert.is(raft.role, 'follower')
  assert.is(raft.term, 9)
})

test('reject stale term: appends of an older term are answered with the current term and not applied', () => {
  const node = lone(1, entries(0, [[1, 1]]), 3)
  const before = node.lastIndex
  node.step({
    type: 'append',
    from: 2,
    to: 1,
    term: 2,
    prevIndex: 0,
    prevTerm: 1,
    entries: entries(1, [[2, 1]]),
    commit: 1,
  })
  assert.is(node.lastIndex, before)
  const responses = ofType(drain(node), 'appendResponse')
  assert.is(responses.length, 1)
  assert.is(responses[0]!.term, 3)
  assert.is(responses[0]!.success, false)
  node.step({ type: 'vote', from: 2, to: 1, term: 2, lastIndex: 10, lastTerm: 2, transfer: false })
  assert.is(ofType(drain(node), 'voteResponse').length, 0)
})

test('candidate falls back to follower on an append from a current leader', () => {
  const node = lone(1, entries(0, [[1, 1]]), 1, { preVote: false })
  node.campaign()
  assert.is(node.role, 'candidate')
  assert.is(node.term, 2)
  node.step({ type: 'append', from: 2, to: 1, term: 2, prevIndex: 0, prevTerm: 1, entries: [], commit: -1 })
  assert.is(node.role, 'follower')
  assert.is(node.leaderId, 2)
})

test('a vote is granted at most once per term', () => {
  const node = lone(1, entries(0, [[1, 1]]), 1, { checkQuorum: false })
  const request = (from: number) =>
    node.step({ type: 'vote', from, to: 1, term: 2, lastIndex: 5, lastTerm: 1, transfer: false })
  const answer = () => ofType(drain(node), 'voteResponse')[0]!.granted
  request(2)
  assert.is(answer(), true)
  request(3)
  assert.is(answer(), false)
  request(2)
  assert.is(answer(), true, 'the same candidate may ask again')
})

test('log up-to-date check: votes only for a candidate whose log is at least as up to date', () => {
  const cases: [number, number, boolean][] = [
    [10, 1, false], // lower last term, longer log
    [5, 2, false], // same last term, shorter
    [6, 2, true], // same last term, same last index
    [0, 3, true], // higher last term wins even if shorter
  ]
  for (const [lastIndex, lastTerm, granted] of cases) {
    const node = lone(
      1,
      entries(0, [
        [1, 2],
        [2, 5],
      ]),
      2,
      { checkQuorum: false },
    )
    node.step({ type: 'vote', from: 2, to: 1, term: 3, lastIndex, lastTerm, transfer: false })
    assert.is(ofType(drain(node), 'voteResponse')[0]!.granted, granted, `${lastIndex}/${lastTerm}`)
  }
})

test('log matching: after replication every log is identical, entry by entry, spans included', () => {
  const cluster = new TestCluster([1, 2, 3, 4, 5])
  cluster.elect(1)
  cluster.propose(1, [1, 3, 5])
  cluster.propose(1, [2])
  cluster.isolate(5)
  cluster.propose(1, [4, 1])
  cluster.heal()
  // Appends lost to the partition are resent once heartbeats show the follower is not moving.
  cluster.tickAll(10)
  const reference = cluster.logOf(1)
  for (const id of cluster.ids) assert.equal(cluster.logOf(id), reference)
  assert.is(cluster.node(5).commitIndex, cluster.node(1).lastIndex)
})

test('leader completeness: a new leader holds every committed entry', () => {
  const cluster = new TestCluster([1, 2, 3, 4, 5], { preVote: false })
  cluster.elect(1)
  cluster.isolate(4)
  cluster.isolate(5)
  cluster.propose(1, [2, 3])
  const committed = cluster.node(1).commitIndex
  cluster.heal()
  cluster.isolate(1)
  // 4 and 5 lack the entries: they cannot win; one of 2 and 3 will.
  cluster.node(4).campaign()
  cluster.stabilize()
  assert.is.not(cluster.node(4).role, 'leader')
  cluster.tickAll(40)
  const [leader] = cluster.leaders().filter((id) => id !== 1)
  assert.ok(leader === 2 || leader === 3, `leader ${leader}`)
  assert.ok(cluster.node(leader!).commitIndex >= committed)
  assert.equal(cluster.logOf(leader!).slice(0, 3), cluster.logOf(1).slice(0, 3))
})

test('committed prefix: the runs and config up to the commit index, never an uncommitted entry', () => {
  const cluster = new TestCluster([1, 2, 3])
  cluster.elect(1)
  cluster.propose(1, [2, 3])
  cluster.node(1).transferLeadership(2)
  cluster.stabilize()
  cluster.propose(2, [1])
  const committed = cluster.node(2).commitIndex
  cluster.isolate(2)
  cluster.propose(2, [4]) // stays uncommitted: no majority hears it
  const prefix = cluster.node(2).committedPrefix()
  assert.is(prefix.through, committed)
  assert.ok(cluster.node(2).lastIndex > committed, 'an uncommitted entry exists')
  assert.equal(
    prefix.termRuns.map((run) => run.term),
    [
      ...new Set(
        cluster
          .logOf(2)
          .filter(([index]) => index <= committed)
          .map(([, term]) => term),
      ),
    ],
  )
  for (const run of prefix.termRuns) assert.is(cluster.node(2).termAt(run.startIndex), run.term)
  assert.equal(prefix.config.voters, [1, 2, 3])
})

test('leader only commits entries of its own term by counting replicas (figure 8)', () => {
  // S1 led term 2 and wrote index 1 (term 2) to S2 only; it now leads term 4.
  const log = entries(0, [
    [1, 1],
    [2, 1],
  ])
  const storage = storageWith([1, 2, 3, 4, 5], log, { term: 3, vote: 0, commit: 0 })
  const leader = new RaftNode(options(1, { preVote: false }), storage.restoredState(0))
  leader.campaign()
  for (const from of [2, 3]) leader.step({ type: 'voteResponse', from, to: 1, term: 4, granted: true })
  assert.is(leader.role, 'leader')
  assert.is(leader.lastIndex, 2) // the noop of term 4
  leader.advance(leader.ready())
  const ack = (from: number, matchIndex: number) =>
    leader.step({
      type: 'appendResponse',
      from,
      to: 1,
      term: 4,
      success: true,
      matchIndex,
      rejectedPrevIndex: -1,
      hintIndex: -1,
      hintTerm: 0,
    })
  ack(2, 1)
  ack(3, 1)
  // Index 1 (term 2) is on S1, S2, S3, a majority, but must not commit by counting.
  assert.is(leader.commitIndex, 0)
  ack(2, 2)
  assert.is(leader.commitIndex, 0)
  ack(3, 2)
  assert.is(leader.commitIndex, 2, 'the term-4 entry commits, and index 1 with it')
})

test('conflict truncation and fast backtracking over runs, with spans and mismatched batch boundaries', () => {
  // The follower holds term-2 batches the new leader never had, cut differently from the leader's
  // term-3 batches over the same offsets.
  const shared = entries(0, [[1, 3]])
  const followerLog = [
    ...shared,
    ...entries(3, [
      [2, 2],
      [2, 4],
      [2, 3],
      [2, 1],
    ]),
  ]
  const leaderLog = [
    ...shared,
    ...entries(3, [
      [3, 1],
      [3, 3],
      [3, 2],
    ]),
  ]
  const storages = new Map([
    [1, storageWith(voters, leaderLog, { term: 3, vote: 1, commit: 2 })],
    [2, storageWith(voters, followerLog, { term: 2, vote: 0, commit: 2 })],
    [3, storageWith(voters, leaderLog, { term: 3, vote: 1, commit: 2 })],
  ])
  const cluster = new TestCluster(voters, { preVote: false }, storages)
  cluster.elect(1)
  cluster.stabilize()
  const rejects = ofType(cluster.sent, 'appendResponse').filter((m) => m.from === 2 && !m.success)
  assert.ok(rejects.length <= 2, `${rejects.length} rejections`)
  // The hint is an entry end of the follower's log with a term <= the rejected prevTerm.
  assert.is(rejects[0]!.hintIndex, 2)
  assert.is(rejects[0]!.hintTerm, 1)
  assert.equal(cluster.logOf(2), cluster.logOf(1))
  assert.is(cluster.node(2).termAt(5), 3)
})

test('pre-vote: a partitioned node rejoins without bumping the term or disrupting the leader', () => {
  const cluster = new TestCluster(voters)
  cluster.elect(1)
  cluster.isolate(3)
  for (let i = 0; i < 50; i++) cluster.tickAll()
  assert.is(cluster.node(3).term, 1)
  assert.is(cluster.node(3).role, 'preCandidate')
  cluster.heal()
  cluster.tickAll(3)
  assert.is(cluster.node(1).role, 'leader')
  assert.is(cluster.node(1).term, 1)
  assert.is(cluster.node(3).role, 'follower')
  assert.is(cluster.node(3).leaderId, 1)
})

test('check-quorum: a leader that hears from no majority within electionTicks steps down', () => {
  const cluster = new TestCluster(voters)
  cluster.elect(1)
  cluster.isolate(1)
  for (let i = 0; i < 21; i++) cluster.tick(1)
  assert.is(cluster.node(1).role, 'follower')
})

test('leadership transfer: proposals are refused during it and the target takes over', () => {
  const cluster = new TestCluster(voters)
  cluster.elect(1)
  cluster.isolate(2)
  cluster.propose(1, [2])
  cluster.node(1).transferLeadership(2)
  const refused = cluster.node(1).propose([{ span: 1, data: new Uint8Array(1) }])
  assert.equal(refused, { ok: false, leaderId: 1, reason: 'transferring' })
  cluster.heal()
  cluster.tickAll(8) // catch up, then timeoutNow
  assert.is(cluster.node(2).role, 'leader')
  assert.is(cluster.node(1).role, 'follower')
  assert.is(cluster.node(2).term, 2)
})

test('leadership transfer: aborted after electionTicks when the target does not catch up', () => {
  const cluster = new TestCluster(voters)
  cluster.elect(1)
  cluster.isolate(2)
  cluster.node(1).transferLeadership(2)
  cluster.tickAll(10)
  assert.is(cluster.node(1).role, 'leader')
  assert.ok(cluster.node(1).propose([{ span: 1, data: new Uint8Array(1) }]).ok)
})

test('membership: add a server, then remove the leader; each change commits and the removed leader steps down', () => {
  const cluster = new TestCluster(voters)
  cluster.elect(1)
  cluster.propose(1, [3, 2])
  cluster.addNode(4, voters)
  const added = cluster.node(1).proposeConfigChange({ add: 4 })
  assert.ok(added.ok)
  assert.equal(cluster.node(1).proposeConfigChange({ remove: 2 }), {
    ok: false,
    leaderId: 1,
    reason: 'configChangePending',
  })
  cluster.stabilize()
  cluster.tickAll(3)
  assert.equal([...cluster.node(1).config.voters].sort(), [1, 2, 3, 4])
  assert.equal(cluster.logOf(4), cluster.logOf(1))
  assert.ok(cluster.node(1).proposeConfigChange({ remove: 1 }).ok)
  cluster.stabilize()
  assert.is(cluster.node(1).role, 'follower')
  cluster.tickAll(40)
  const [leader] = cluster.leaders()
  assert.ok(leader !== undefined && leader !== 1)
  assert.equal([...cluster.node(leader).config.voters].sort(), [2, 3, 4])
})

test('membership: an added server that missed the first probe catches up on an idle group (heartbeats probe it)', () => {
  const cluster = new TestCluster(voters)
  cluster.elect(1)
  cluster.propose(1, [3, 2])
  // The new server is not there yet when the change commits (its broker opens the replica later):
  // every append to it is lost, and afterwards nothing new is ever proposed.
  cluster.addNode(4, voters)
  cluster.isolate(4)
  assert.ok(cluster.node(1).proposeConfigChange({ add: 4 }).ok)
  cluster.stabilize()
  cluster.heal()
  cluster.tickAll(5)
  assert.equal(cluster.logOf(4), cluster.logOf(1))
})

test('membership: a new leader changes the config only after committing an entry of its own term', () => {
  const node = lone(1, entries(0, [[1, 1]]), 1, { preVote: false })
  node.campaign()
  node.step({ type: 'voteResponse', from: 2, to: 1, term: 2, granted: true })
  assert.is(node.role, 'leader')
  assert.equal(node.proposeConfigChange({ add: 4 }), {
    ok: false,
    leaderId: 1,
    reason: 'configChangePending',
  })
  node.advance(node.ready())
  const ack = {
    type: 'appendResponse',
    from: 2,
    to: 1,
    term: 2,
    success: true,
    rejectedPrevIndex: -1,
  } as const
  node.step({ ...ack, matchIndex: 1, hintIndex: -1, hintTerm: 0 })
  assert.is(node.commitIndex, 1)
  assert.ok(node.proposeConfigChange({ add: 4 }).ok)
})

test('restore: a follower below the window start is restored from the leader and catches up', () => {
  const cluster = new TestCluster(voters, { windowBytesMax: 8 })
  cluster.elect(1)
  cluster.isolate(3)
  for (let i = 0; i < 10; i++) cluster.propose(1, [2, 1])
  assert.ok(cluster.node(1).windowStart > cluster.node(3).lastIndex + 1)
  cluster.heal()
  cluster.tickAll(10)
  const restores = cluster.nodes.get(3)!.readies.filter((ready) => ready.restore !== undefined)
  assert.is(restores.length, 1)
  assert.is(restores[0]!.restore!.keepThrough, 0)
  assert.equal(cluster.logOf(3), cluster.logOf(1))
  assert.is(cluster.node(3).commitIndex, cluster.node(1).commitIndex)
})

test('restore: a follower whose log diverges keeps only the agreeing prefix and truncates the rest', () => {
  const shared = entries(0, [[1, 2]])
  const leaderLog = [
    ...shared,
    ...entries(2, [
      [3, 2],
      [3, 3],
      [3, 1],
      [3, 4],
    ]),
  ]
  const divergent = [
    ...shared,
    ...entries(2, [
      [2, 3],
      [2, 2],
    ]),
  ]
  const committed = { term: 3, vote: 1, commit: 11 }
  const storages = new Map([
    [1, storageWith(voters, leaderLog, committed)],
    [2, storageWith(voters, leaderLog, committed)],
    [3, storageWith(voters, divergent, { term: 2, vote: 0, commit: 1 })],
  ])
  const cluster = new TestCluster(voters, { preVote: false }, storages)
  // The leader starts with only the tail above commit in its window: index 2 is gone from memory.
  cluster.elect(1)
  cluster.tickAll(3)
  const restore = cluster.nodes.get(3)!.readies.find((ready) => ready.restore !== undefined)?.restore
  assert.ok(restore !== undefined)
  assert.is(restore.keepThrough, 1)
  assert.equal(cluster.logOf(3), cluster.logOf(1))
  assert.is(cluster.node(3).termAt(4), 3)
})

test('pipelining: a follower in replicate state never has more than maxInflightMessages appends out', () => {
  const cluster = new TestCluster(voters, { maxInflightMessages: 2, maxEntriesPerMessage: 1 })
  cluster.elect(1)
  const leader = cluster.node(1)
  cluster.isolate(2) // its answers never come back
  cluster.isolate(3)
  const before = cluster.sent.length
  for (let i = 0; i < 10; i++) {
    leader.propose([{ span: 1, data: new Uint8Array(4) }])
    cluster.flush(1)
  }
  const progress = leader.progress().get(2)!
  assert.is(progress.state, 'replicate')
  assert.is(progress.inflight, 2)
  const appends = ofType(cluster.sent.slice(before), 'append').filter(
    (m) => m.to === 2 && m.entries.length > 0,
  )
  assert.is(appends.length, 2)
})

test('entries count toward commit only once durable: a leader counts itself after advance', () => {
  const single = new MemoryStorage({ voters: [1] })
  const node = new RaftNode(options(1), single.restoredState(0))
  node.campaign()
  assert.is(node.role, 'leader')
  const first = node.ready()
  assert.is(first.entries.length, 0, 'a sole voter appends no no-op')
  node.advance(first)
  assert.is(node.commitIndex, -1)
  const result = node.propose([{ span: 3, data: new Uint8Array(2) }])
  assert.ok(result.ok)
  assert.is(node.commitIndex, -1, 'the entries are not durable yet')
  const second = node.ready()
  assert.equal(
    second.entries.map((entry) => entry.index),
    [0],
  )
  node.advance(second)
  assert.is(node.commitIndex, 2)
  assert.equal(
    node.ready().committed.map((entry) => entry.index),
    [0],
  )
})

test('sole voter: leads without a no-op and commits its durable log, earlier terms included', () => {
  const storage = storageWith(
    [1],
    entries(0, [
      [1, 2],
      [2, 3],
    ]),
    { term: 2, vote: 1, commit: -1 },
  )
  const cluster = new TestCluster([1], {}, new Map([[1, storage]]))
  cluster.elect(1)
  assert.is(cluster.node(1).role, 'leader')
  assert.is(cluster.node(1).lastIndex, 4, 'no no-op appended')
  assert.is(cluster.node(1).commitIndex, 4, 'entries of terms 1 and 2 committed by the one voter')
  cluster.propose(1, [1])
  assert.equal(cluster.logOf(1).at(-1), [5, 3, 1])
  assert.is(cluster.node(1).commitIndex, 5)
})

test('sole voter: a config change adding a voter brings back the no-op rule for the next leader', () => {
  const cluster = new TestCluster([1])
  cluster.elect(1)
  const change = cluster.node(1).proposeConfigChange({ add: 2 })
  assert.ok(change.ok, 'a sole voter may change the config before committing an entry of its term')
})

test('a leader may write ahead of durability: advance({ entriesDurable: false }) commits nothing until persisted()', () => {
  const single = new MemoryStorage({ voters: [1] })
  const node = new RaftNode(options(1), single.restoredState(0))
  node.campaign()
  node.advance(node.ready())
  assert.ok(node.propose([{ span: 2, data: new Uint8Array(1) }]).ok)
  const first = node.ready()
  node.advance(first, { entriesDurable: false })
  assert.ok(node.propose([{ span: 3, data: new Uint8Array(1) }]).ok)
  const second = node.ready()
  assert.equal(
    second.entries.map((entry) => entry.index),
    [2],
    'the next entries are handed out while the first are still being written',
  )
  node.advance(second, { entriesDurable: false })
  assert.is(node.commitIndex, -1, 'nothing is committed before it is durable')
  node.persisted(1, node.term)
  assert.is(node.commitIndex, 1)
  node.persisted(4, node.term + 1)
  assert.is(node.commitIndex, 1, 'a persisted() naming another term is ignored')
  node.persisted(4, node.term)
  assert.is(node.commitIndex, 4)
})

test('entries written ahead stay uncommitted when a later Ready without them is advanced as durable', () => {
  const single = new MemoryStorage({ voters: [1] })
  const node = new RaftNode(options(1), single.restoredState(0))
  node.campaign()
  node.advance(node.ready())
  assert.ok(node.propose([{ span: 2, data: new Uint8Array(1) }]).ok)
  node.advance(node.ready(), { entriesDurable: false })
  // A Ready with no entries (here: the answer to a stray vote request) is advanced the ordinary
  // way while the write runs.
  node.step({ type: 'vote', from: 2, to: 1, term: node.term, lastIndex: -1, lastTerm: 0, transfer: false })
  const other = node.ready()
  assert.is(other.entries.length, 0)
  node.advance(other)
  assert.is(node.commitIndex, -1, 'the written-ahead entries are not durable yet')
  node.persisted(1, node.term)
  assert.is(node.commitIndex, 1)
})

test('a follower may write ahead too: once leader, it counts those entries only through persisted()', () => {
  const cluster = new TestCluster([1, 2, 3])
  cluster.elect(1)
  cluster.isolate(3)
  assert.ok(cluster.node(1).propose([{ span: 2, data: new Uint8Array(1) }]).ok)
  cluster.flush(1)
  const follower = cluster.node(2)
  const append = cluster.sent.findLast((message) => message.type === 'append' && message.to === 2)!
  follower.step(append)
  const ready = follower.ready()
  assert.is(ready.entries.length, 1)
  follower.advance(ready, { entriesDurable: false })
  const lastIndex = follower.lastIndex
  // Node 1 hands over and goes away; node 2 wins with node 3's vote, its entries still not durable
  // (the test's disk takes them now only because its later Readies append behind them).
  cluster.heal()
  cluster.isolate(1)
  cluster.nodes.get(2)!.storage.persist(ready)
  follower.step({ type: 'timeoutNow', from: 1, to: 2, term: follower.term })
  cluster.stabilize()
  assert.is(follower.role, 'leader')
  const noop = follower.lastIndex
  assert.ok(noop > lastIndex)
  assert.ok(follower.commitIndex < lastIndex, 'entries written ahead are not counted before persisted()')
  follower.persisted(lastIndex, ready.entries[0]!.term)
  cluster.stabilize()
  assert.is(follower.commitIndex, noop, 'counted once persisted: the new term commits with node 3')
})

test('entries are written ahead only without a truncation or restore', () => {
  const cluster = new TestCluster([1, 2, 3])
  cluster.elect(1)
  const follower = cluster.node(2)
  // An append that conflicts with nothing but arrives for a log that must be cut: fake one.
  follower.step({
    type: 'append',
    from: 1,
    to: 2,
    term: follower.term,
    prevIndex: follower.lastIndex,
    prevTerm: follower.termAt(follower.lastIndex),
    entries: [
      {
        index: follower.lastIndex + 1,
        term: follower.term,
        span: 1,
        kind: 'normal',
        data: new Uint8Array(1),
      },
    ],
    commit: follower.commitIndex,
  })
  follower.advance(follower.ready(), { entriesDurable: false })
  follower.step({
    type: 'append',
    from: 1,
    to: 2,
    term: follower.term + 1,
    prevIndex: follower.lastIndex - 1,
    prevTerm: follower.termAt(follower.lastIndex - 1),
    entries: [
      {
        index: follower.lastIndex,
        term: follower.term + 1,
        span: 1,
        kind: 'normal',
        data: new Uint8Array(2),
      },
    ],
    commit: follower.commitIndex,
  })
  const truncating = follower.ready()
  assert.is(truncating.truncateFrom, truncating.entries[0]!.index)
  assert.throws(() => follower.advance(truncating, { entriesDurable: false }), /only without a truncation/)
})

test.run()
