// Proves a replica whose log lost entries to a damaged segment opens in repair mode: it remembers
// the index to reach in raft-state.json across a restart, refuses votes meanwhile, and that a sole
// replica (nothing to copy from) does not; and that the heartbeat answer naming a follower's real
// log end passes the wire check.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeRecordBatch, isWeirError } from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import type { Message } from '@weir/raft'
import { PartitionLog } from '@weir/storage'
import pino from 'pino'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { hardStateFileName } from '../../src/cluster/hard-state-file.js'
import { checkRaftMessage } from '../../src/cluster/raft-message-check.js'
import { RaftReplica } from '../../src/cluster/raft-replica.js'
import { nodeBrokerEnvironment } from '../../src/environment.js'

const directories: string[] = []
const logged: string[] = []
const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line).msg) })
const config = { segmentBytes: 2048, indexIntervalBytes: 200, fsync: 'never' as const }

test.after.each(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
  logged.splice(0)
})

/** A log of 80 one-record entries of term 1 as a crash leaves it, with a byte flipped in its second segment. */
async function damagedLog(): Promise<{ directory: string; endBefore: number }> {
  const root = mkdtempSync(join(tmpdir(), 'weir-repair-'))
  directories.push(root)
  const live = join(root, 'live')
  const log = await PartitionLog.open(live, { config })
  for (let index = 0; index < 80; index++) {
    const value = Buffer.from(`entry-${index}`.padEnd(40, '.'))
    const batch = encodeRecordBatch([{ key: null, value }], { timestamp: 1_700_000_000_000 })
    await log.append(batch, { term: 1 })
  }
  await log.flush()
  const directory = join(root, 'crashed')
  cpSync(live, directory, { recursive: true })
  const endBefore = log.logEndOffset
  await log.close()
  const second = readdirSync(directory)
    .filter((name) => name.endsWith('.log'))
    .sort()[1]!
  const bytes = readFileSync(join(directory, second))
  bytes[bytes.length - 1]! ^= 0xff
  writeFileSync(join(directory, second), bytes)
  return { directory, endBefore }
}

async function openReplica(log: PartitionLog, voters: number[], sent: Message[] = []) {
  return RaftReplica.open({
    group: 'topic/0',
    log,
    selfId: 1,
    voters,
    timing: { electionTicks: 10, heartbeatTicks: 1, random: () => 0.5 },
    transport: {
      send: (_group, message) => sent.push(message),
      fetchCommitted: () => Promise.reject(new Error('no leader in this test')),
    },
    logger,
    environment: nodeBrokerEnvironment,
  })
}

function savedRepair(directory: string): number | undefined {
  const path = join(directory, hardStateFileName)
  if (!existsSync(path)) return undefined
  return (JSON.parse(readFileSync(path, 'utf8')) as { repairThrough?: number }).repairThrough
}

test('a cut at open puts the replica in repair mode, kept across a restart, and it refuses votes', async () => {
  const { directory, endBefore } = await damagedLog()
  const log = await PartitionLog.open(directory, { config, onCorruption: 'truncate' })
  assert.ok(log.logEndOffset < endBefore, 'the damaged tail was cut')
  const sent: Message[] = []
  const replica = await openReplica(log, [1, 2, 3], sent)
  assert.ok(replica.repairing)
  assert.is(savedRepair(directory), endBefore - 1)
  assert.ok(logged.some((line) => /a damaged segment was cut at offset \d+/.test(line)))
  assert.ok(logged.some((line) => /lost log entries up to \d+; repairing from the leader/.test(line)))
  replica.step({ type: 'vote', from: 2, to: 1, term: 5, lastIndex: 10_000, lastTerm: 4, transfer: false })
  const answer = await eventually('a vote answer', () =>
    sent.find((message) => message.type === 'voteResponse'),
  )
  assert.equal(answer.type === 'voteResponse' && answer.granted, false)
  await replica.close()
  await log.close()
  // A restart mid-repair: the clean reopen cuts nothing, but the state file still says what was lost.
  const reopenedLog = await PartitionLog.open(directory, { config, onCorruption: 'truncate' })
  assert.is(reopenedLog.recovery.corruption, undefined)
  const reopened = await openReplica(reopenedLog, [1, 2, 3])
  assert.ok(reopened.repairing)
  assert.is(savedRepair(directory), endBefore - 1)
  await reopened.close()
  await reopenedLog.close()
})

test('a sole replica has nothing to repair from: it is not in repair mode, and the loss is logged', async () => {
  const { directory } = await damagedLog()
  const log = await PartitionLog.open(directory, { config, onCorruption: 'truncate' })
  const replica = await openReplica(log, [1])
  assert.not.ok(replica.repairing)
  assert.is(savedRepair(directory), undefined)
  assert.ok(logged.some((line) => /it has no other replica to copy them from/.test(line)))
  await replica.close()
  await log.close()
})

test("a follower's real log end in a heartbeat answer crosses the wire; a bad one is refused", () => {
  const answer = { type: 'heartbeatResponse', from: 2, to: 1, term: 3 }
  // A broker of an earlier release sends none: read as nothing lost.
  assert.equal(checkRaftMessage({ ...answer }), { ...answer, lastIndex: Number.MAX_SAFE_INTEGER })
  assert.equal(checkRaftMessage({ ...answer, lastIndex: 41 }), { ...answer, lastIndex: 41 })
  try {
    checkRaftMessage({ ...answer, lastIndex: 'far' })
    assert.unreachable('a text lastIndex was accepted')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_REQUEST'))
  }
})

test.run()
