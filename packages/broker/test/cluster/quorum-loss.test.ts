// Proves what a leader does with pending writes when it loses its majority: it steps down within
// the check-quorum window and fails them with NOT_ENOUGH_REPLICAS naming the brokers it cannot
// reach and saying the batch may still commit (not a bare NOT_LEADER), reports the loss once, and
// a write sent to it afterwards gets NOT_LEADER saying why no leader is known.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeRecordBatch, isWeirError } from '@weir/protocol'
import { eventually, withTimeout } from '@weir/protocol/testing'
import type { Message } from '@weir/raft'
import { PartitionLog } from '@weir/storage'
import pino from 'pino'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RaftReplica, type ReplicaTransport } from '../../src/cluster/raft-replica.js'
import { nodeBrokerEnvironment } from '../../src/environment.js'

const root = mkdtempSync(join(tmpdir(), 'weir-quorum-'))
test.after(() => rmSync(root, { recursive: true, force: true }))

test('a leader cut off from its majority fails pending writes with NOT_ENOUGH_REPLICAS naming who is unreachable', async () => {
  let cut = new Set<number>()
  const replicas = new Map<number, RaftReplica>()
  const logs: PartitionLog[] = []
  const losses: number[][] = []
  const transport = (): ReplicaTransport => ({
    send(_group, message: Message) {
      setImmediate(() => {
        if (!cut.has(message.from) && !cut.has(message.to))
          replicas.get(message.to)?.step(structuredClone(message))
      })
    },
    fetchCommitted: () => Promise.reject(new Error('no restore in this test')),
  })
  for (const id of [1, 2, 3]) {
    const log = await PartitionLog.open(join(root, String(id)), { config: { fsync: 'always' } })
    logs.push(log)
    replicas.set(
      id,
      await RaftReplica.open({
        group: 'payments/0',
        log,
        selfId: id,
        voters: [1, 2, 3],
        timing: { electionTicks: 10, heartbeatTicks: 1, random: Math.random },
        transport: transport(),
        logger: pino({ level: 'silent' }),
        environment: nodeBrokerEnvironment,
        quorumLost: (unreachable) => losses.push([...unreachable]),
      }),
    )
  }
  const ticker = setInterval(() => {
    for (const replica of replicas.values()) replica.tick()
  }, 5)
  try {
    const [leaderId, leader] = await eventually('a leader', () =>
      [...replicas.entries()].find(([, replica]) => replica.isLeader),
    )
    await leader.propose([encodeRecordBatch([{ value: Buffer.from('ok') }], { timestamp: 1 })], 'all').done
    const others = [1, 2, 3].filter((id) => id !== leaderId)
    cut = new Set(others)
    const pending = leader.propose(
      [encodeRecordBatch([{ value: Buffer.from('stuck') }], { timestamp: 1 })],
      'all',
    )
    const failure = await withTimeout(
      pending.done.then(
        () => undefined,
        (error: unknown) => error,
      ),
      5000,
      'the pending write to fail',
    )
    assert.ok(isWeirError(failure, 'NOT_ENOUGH_REPLICAS'), `NOT_ENOUGH_REPLICAS, got ${String(failure)}`)
    assert.ok(failure.retriable)
    assert.match(failure.message, new RegExp(`brokers ${others.join(', ')} did not answer`))
    assert.match(failure.message, /may still be committed later/)
    assert.equal(losses, [others], 'the loss is reported once')

    const later = leader.notLeader()
    assert.match(
      later.message,
      new RegExp(`brokers ${others.join(', ')} are unreachable from broker ${leaderId}`),
    )
  } finally {
    clearInterval(ticker)
    for (const replica of replicas.values()) await replica.close()
    for (const log of logs) await log.close()
  }
})

test.run()
