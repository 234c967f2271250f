// Proves that a resent idempotent batch is never answered from an entry that is not committed:
// leader A appends batch X while cut off (it never commits), loses leadership, wins again with X
// still at the end of its log (X not committed yet), and rebuilds its producer table from that
// log; the resend of X must wait for X to commit, and when A is cut off again and a leader without
// X takes over (X is replaced), it fails (NOT_ENOUGH_REPLICAS or NOT_LEADER, both retriable)
// instead of having acknowledged offsets that now hold something else.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeRecordBatch, isWeirError, readBatchHeader } from '@weir/protocol'
import { eventually, withTimeout } from '@weir/protocol/testing'
import type { Message } from '@weir/raft'
import { PartitionLog } from '@weir/storage'
import pino from 'pino'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RaftReplica, type ReplicaTransport } from '../../src/cluster/raft-replica.js'
import { nodeBrokerEnvironment } from '../../src/environment.js'
import { ProducerStateRegistry } from '../../src/producers/producer-registry.js'
import { appendToReplica } from '../../src/producers/replica-append.js'

const logger = pino({ level: 'silent' })
const root = mkdtempSync(join(tmpdir(), 'weir-uncommitted-'))
test.after(() => rmSync(root, { recursive: true, force: true }))

/** Which messages get through: every link starts open; a test closes them. */
type LinkFilter = (message: Message) => boolean

async function startGroup() {
  let passes: LinkFilter = () => true
  const replicas = new Map<number, RaftReplica>()
  const logs = new Map<number, PartitionLog>()
  const transport = (): ReplicaTransport => ({
    send(_group, message) {
      setImmediate(() => {
        if (passes(message)) replicas.get(message.to)?.step(structuredClone(message))
      })
    },
    fetchCommitted: () => Promise.reject(new Error('no restore in this test')),
  })
  for (const id of [1, 2, 3]) {
    const log = await PartitionLog.open(join(root, String(id)), { config: { fsync: 'always' } })
    logs.set(id, log)
    const replica = await RaftReplica.open({
      group: 'topic/0',
      log,
      selfId: id,
      voters: [1, 2, 3],
      timing: { electionTicks: 10, heartbeatTicks: 1, random: Math.random },
      transport: transport(),
      logger,
      environment: nodeBrokerEnvironment,
    })
    replicas.set(id, replica)
  }
  const ticker = setInterval(() => {
    for (const replica of replicas.values()) replica.tick()
  }, 5)
  return {
    replicas,
    logs,
    setLinks(filter: LinkFilter) {
      passes = filter
    },
    async close() {
      clearInterval(ticker)
      for (const replica of replicas.values()) await replica.close()
      for (const log of logs.values()) await log.close()
    },
  }
}

const batchX = encodeRecordBatch([{ value: Buffer.from('x') }], {
  timestamp: 1_700_000_000_000,
  producerId: 7,
  producerEpoch: 0,
  baseSequence: 0,
})

test('a resend is not answered from an uncommitted entry that a later leader replaces', async () => {
  const group = await startGroup()
  try {
    const a = await eventually('a first leader', () =>
      [...group.replicas.entries()].find(([, replica]) => replica.isLeader),
    )
    const [aId, aReplica] = a
    const [bId, cId] = [1, 2, 3].filter((id) => id !== aId) as [number, number]
    const aLog = group.logs.get(aId)!

    // Every log holds the same committed start, so the next leader's no-op lands on X's offset.
    await aReplica.propose([encodeRecordBatch([{ value: Buffer.from('w') }], { timestamp: 1 })], 'all').done
    await eventually('every replica holds the start', () =>
      [...group.logs.values()].every((log) => log.logEndOffset === aLog.logEndOffset),
    )

    // A alone: X enters its log and can never commit; A steps down (check quorum).
    group.setLinks(() => false)
    const first = aReplica.propose([batchX], 'all')
    first.done.catch(() => {})
    await eventually('X in A’s log', () => aLog.logEndOffset > first.baseOffset)
    await eventually('A steps down', () => !aReplica.isLeader)

    // A and C meet again for votes and heartbeats only: A wins (its log is longer), but none of
    // its entries reach C, so X stays uncommitted at the end of A's log and C's log lacks it.
    const electionOnly = new Set([
      'preVote',
      'vote',
      'preVoteResponse',
      'voteResponse',
      'heartbeat',
      'heartbeatResponse',
    ])
    group.setLinks(
      (message) =>
        [aId, cId].includes(message.from) &&
        [aId, cId].includes(message.to) &&
        electionOnly.has(message.type),
    )
    aReplica.campaign()
    await eventually('A leads again', () => aReplica.isLeader)
    assert.ok(aReplica.highWatermark <= first.baseOffset, 'X is not committed')

    // The producer resends X to A, whose table is built from its log (as after a leadership gain).
    const table = await new ProducerStateRegistry().tableFor(aLog)
    assert.is(table.check(readBatchHeader(batchX)).kind, 'duplicate', 'the table was built from X')
    const resend = appendToReplica(aReplica, table, [batchX], 'all')
    const outcome = resend.then(
      (offset) => ({ resolved: offset }),
      (error: unknown) => ({ rejected: error }),
    )

    // A is cut off again; B and C elect a leader whose log has no X, and commit over it.
    group.setLinks((message) => message.from !== aId && message.to !== aId)
    const other = await eventually('B or C leads', () =>
      [bId, cId].map((id) => group.replicas.get(id)!).find((replica) => replica.isLeader),
    )
    await eventually('X’s offset committed by the new leader', () => other.highWatermark > first.baseOffset)
    const settled = await withTimeout(outcome, 5000, 'the resend to settle once A stepped down')
    // NOT_ENOUGH_REPLICAS: A stepped down for want of a majority (NOT_LEADER had it heard of B or C).
    const failed =
      'rejected' in settled &&
      (isWeirError(settled.rejected, 'NOT_ENOUGH_REPLICAS') || isWeirError(settled.rejected, 'NOT_LEADER'))
    assert.ok(failed, `the resend must fail retriably, got ${JSON.stringify(settled)}`)
  } finally {
    await group.close()
  }
})

test.run()
