// Proves RaftReplica hosts the Raft core over real partition logs: three replicas elect a leader,
// acks-all proposals resolve only once a majority has them, every log ends byte-identical, and a
// replica that missed more than the leader keeps in memory catches up by restore (Fetch-like
// copies of the committed range) to a byte-identical log.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeRecordBatch } from '@weir/protocol'
import { eventually, withTimeout } from '@weir/protocol/testing'
import type { Message } from '@weir/raft'
import { PartitionLog } from '@weir/storage'
import pino from 'pino'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { batchesIn, logStartBatch } from '../../src/cluster/raft-batches.js'
import { LogStartMoved, RaftReplica, type ReplicaTransport } from '../../src/cluster/raft-replica.js'
import { nodeBrokerEnvironment } from '../../src/environment.js'

const directories: string[] = []
const logged: string[] = []
const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line).msg) })

interface Node {
  id: number
  log: PartitionLog
  replica: RaftReplica | undefined
  down: boolean
}

async function startGroup(windowBytesMax: number) {
  const root = mkdtempSync(join(tmpdir(), 'weir-replica-'))
  directories.push(root)
  const nodes: Node[] = []
  const byId = (id: number) => nodes.find((node) => node.id === id)!
  const transport = (): ReplicaTransport => ({
    send(_group, message: Message) {
      // Through a microtask-free hop, like a socket: never re-entrant into the sender's loop.
      setImmediate(() => {
        const target = byId(message.to)
        if (!target.down && !byId(message.from).down) target.replica?.step(structuredClone(message))
      })
    },
    async fetchCommitted(leaderId, _group, offset, maxBytes) {
      const leader = byId(leaderId)
      if (leader.down || leader.replica === undefined) throw new Error('leader down')
      // As Cluster.fetchCommitted: below the leader's log start (retention) is LogStartMoved.
      if (offset < leader.log.logStartOffset) throw new LogStartMoved('topic/0', leader.log.logStartOffset)
      const read = await leader.log.read(offset, maxBytes)
      const out: Buffer[] = []
      for (const batch of batchesIn(read.bytes)) {
        const last = batch.readUInt32BE(4) + batch.readUInt32BE(23)
        if (last < leader.replica.highWatermark) out.push(batch)
      }
      return Buffer.concat(out)
    },
  })
  const open = async (node: Node) => {
    node.log = await PartitionLog.open(join(root, String(node.id)), { config: { fsync: 'always' } })
    node.replica = await RaftReplica.open({
      group: 'topic/0',
      log: node.log,
      selfId: node.id,
      voters: [1, 2, 3],
      timing: { electionTicks: 10, heartbeatTicks: 1, random: Math.random, windowBytesMax },
      transport: transport(),
      logger,
      environment: nodeBrokerEnvironment,
    })
    node.down = false
  }
  for (const id of [1, 2, 3]) {
    const node = { id, log: undefined as unknown as PartitionLog, replica: undefined, down: false }
    nodes.push(node)
    await open(node)
  }
  const ticker = setInterval(() => {
    for (const node of nodes) if (!node.down) node.replica?.tick()
  }, 5)
  const leader = (): Promise<Node> =>
    eventually('a leader', () => nodes.find((node) => !node.down && node.replica?.isLeader))
  const stop = async (node: Node) => {
    node.down = true
    await node.replica?.close()
    await node.log.close()
    node.replica = undefined
  }
  const close = async () => {
    clearInterval(ticker)
    for (const node of nodes) if (!node.down) await stop(node)
  }
  return { nodes, leader, stop, open, close }
}

function batch(text: string, count = 3): Buffer {
  const records = Array.from({ length: count }, (_, index) => ({ value: Buffer.from(`${text}-${index}`) }))
  return encodeRecordBatch(records, { timestamp: 1_700_000_000_000 })
}

async function logBytes(log: PartitionLog): Promise<Buffer> {
  const read = await log.read(log.logStartOffset, 64 * 1024 * 1024)
  return read.bytes
}

async function untilEqual(nodes: Node[], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    // A replica in the middle of a restore may be cutting its log: read again on the next round.
    const bytes = await Promise.all(nodes.map((node) => logBytes(node.log).catch(() => Buffer.alloc(0))))
    if (bytes.every((candidate) => candidate.equals(bytes[0]!)) && bytes[0]!.length > 0) return
    if (Date.now() > deadline)
      throw new Error(`logs differ: ${bytes.map((candidate) => candidate.length).join(', ')} bytes`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

test.after(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

test('acks all resolves once committed; every replica ends with the same bytes', async () => {
  const group = await startGroup(64 * 1024 * 1024)
  try {
    const leader = await group.leader()
    const proposals = Array.from({ length: 20 }, (_, index) =>
      leader.replica!.propose([batch(`b${index}`)], 'all'),
    )
    await Promise.all(proposals.map((proposal) => proposal.done))
    const offsets = proposals.map((proposal) => proposal.baseOffset)
    assert.equal(
      offsets,
      [...offsets].sort((a, b) => a - b),
      'offsets follow proposal order',
    )
    assert.ok(
      leader.replica!.highWatermark >= offsets.at(-1)! + 3,
      'the high watermark covers every resolved batch',
    )
    await untilEqual(group.nodes)
  } finally {
    await group.close()
  }
})

/** Stops one follower and commits far more than the 4 KiB window while it is down. */
async function writeWhileFollowerDown(group: Awaited<ReturnType<typeof startGroup>>) {
  const leader = await group.leader()
  await leader.replica!.propose([batch('before')], 'all').done
  const follower = group.nodes.find((node) => node !== leader)!
  await group.stop(follower)
  for (let index = 0; index < 60; index++) {
    await leader.replica!.propose([batch(`while-down-${index}`, 20)], 'all').done
  }
  return { leader, follower }
}

test('a follower down while the leader moved past its window catches up by restore, byte-identical', async () => {
  const group = await startGroup(4096)
  try {
    const { leader, follower } = await writeWhileFollowerDown(group)
    logged.length = 0
    await group.open(follower)
    await untilEqual(group.nodes, 10_000)
    // Reads see the copied bytes once written, a little before their fsync lets the restore end.
    // The follower caught up by restore, not by appends.
    await eventually('the restore log line', () => logged.includes('replica restored from the leader'))
    // The restored follower takes part again: a new batch commits on all three.
    await leader.replica!.propose([batch('after')], 'all').done
    await untilEqual(group.nodes)
  } finally {
    await group.close()
  }
})

test('a follower behind the log start of the leader (retention) restarts its log there', async () => {
  const group = await startGroup(4096)
  try {
    const { leader, follower } = await writeWhileFollowerDown(group)
    // What retention does to old segments, done here at an offset the follower never reached.
    // Retention deletes whole segments, so a log start is always a batch boundary.
    const middle = Math.floor(leader.log.logEndOffset / 2)
    const cut = [...batchesIn((await leader.log.read(middle, 1)).bytes)][0]!.readUInt32BE(4)
    await leader.log.truncatePrefix(cut)
    const third = group.nodes.find((node) => node !== leader && node !== follower)!
    await third.log.truncatePrefix(cut)
    await group.open(follower)
    await untilEqual(group.nodes, 10_000)
    assert.is(follower.log.logStartOffset, leader.log.logStartOffset)
  } finally {
    await group.close()
  }
})

test('a proposal to a follower is refused with NOT_LEADER naming the leader', async () => {
  const group = await startGroup(64 * 1024 * 1024)
  try {
    const leader = await group.leader()
    const follower = group.nodes.find((node) => node !== leader && !node.down)!
    await eventually('the follower to learn its leader', () => follower.replica!.leaderId === leader.id)
    assert.throws(
      () => follower.replica!.propose([batch('x')], 'all'),
      (error: Error) =>
        /NOT_LEADER|does not lead/.test(`${(error as { code?: string }).code} ${error.message}`) &&
        error.message.includes(`broker ${leader.id}`),
    )
  } finally {
    await group.close()
  }
})

test("a committed log-start marker cuts every replica's prefix, and a follower down meanwhile catches up", async () => {
  const group = await startGroup(64 * 1024 * 1024)
  try {
    let leader = await group.leader()
    const follower = group.nodes.find((node) => node !== leader)!
    await group.stop(follower)
    const first = await Promise.all(
      Array.from({ length: 10 }, (_, index) => leader.replica!.propose([batch(`old${index}`)], 'all')),
    )
    await Promise.all(first.map((proposal) => proposal.done))
    const kept = leader.replica!.propose([batch('kept')], 'all')
    await kept.done
    await leader.replica!.propose([logStartBatch(kept.baseOffset)], 'all').done
    await withTimeout(leader.replica!.logStartReached(kept.baseOffset), 5000, 'the leader to cut its log')
    assert.is(leader.log.logStartOffset, kept.baseOffset, 'the leader cut exactly at the marker offset')
    const up = group.nodes.filter((node) => !node.down)
    await eventually('every running replica to cut at the marker', () =>
      up.every((node) => node.log.logStartOffset === kept.baseOffset),
    )
    await group.open(follower)
    leader = await group.leader()
    await leader.replica!.propose([batch('after')], 'all').done
    await untilEqual(group.nodes)
    assert.ok(
      follower.log.logStartOffset >= kept.baseOffset,
      `follower log start ${follower.log.logStartOffset}`,
    )
  } finally {
    await group.close()
  }
})

test.run()
