// Proves that a produce reaching a leader in the middle of a leadership transfer is held until the
// transfer ends: it then fails with NOT_LEADER naming the new leader (the producer's next metadata
// finds it), instead of at once while this broker still leads and no other does yet.
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
import { appendToReplica } from '../../src/producers/replica-append.js'

const root = mkdtempSync(join(tmpdir(), 'weir-transfer-'))
test.after(() => rmSync(root, { recursive: true, force: true }))

test('a proposal refused during a transfer is answered once the new leader leads', async () => {
  const replicas = new Map<number, RaftReplica>()
  const logs: PartitionLog[] = []
  // 20 ms per hop: the transfer takes a few round trips, long enough to land a produce inside it.
  const transport = (): ReplicaTransport => ({
    send(_group, message: Message) {
      setTimeout(() => replicas.get(message.to)?.step(structuredClone(message)), 20)
    },
    fetchCommitted: () => Promise.reject(new Error('no restore in this test')),
  })
  for (const id of [1, 2, 3]) {
    const log = await PartitionLog.open(join(root, String(id)), { config: { fsync: 'always' } })
    logs.push(log)
    replicas.set(
      id,
      await RaftReplica.open({
        group: 'orders/0',
        log,
        selfId: id,
        voters: [1, 2, 3],
        timing: { electionTicks: 20, heartbeatTicks: 2, random: Math.random },
        transport: transport(),
        logger: pino({ level: 'silent' }),
        environment: nodeBrokerEnvironment,
      }),
    )
  }
  const ticker = setInterval(() => {
    for (const replica of replicas.values()) replica.tick()
  }, 10)
  try {
    const leader = await eventually('a leader', () =>
      [...replicas.values()].find((replica) => replica.isLeader),
    )
    const batch = () => encodeRecordBatch([{ value: Buffer.from('v') }], { timestamp: 1 })
    await appendToReplica(leader, undefined, [batch()], 'all')
    await eventually('followers replicating', () => leader.handOff(new Set()) !== undefined)
    const target = leader.handOff(new Set())!
    const outcome = appendToReplica(leader, undefined, [batch()], 'all').then(
      () => ({ ok: true, leading: leader.isLeader }),
      (error: unknown) => ({ ok: false, error, leading: leader.isLeader }),
    )
    const settled = await withTimeout(outcome, 5000, 'the produce during the transfer to settle')
    assert.ok(!settled.ok, 'the old leader does not take the batch')
    assert.ok('error' in settled && isWeirError(settled.error, 'NOT_LEADER'), String(settled))
    assert.is(settled.leading, false, 'answered only once this broker no longer leads')
    assert.match((settled as { error: Error }).error.message, new RegExp(`broker ${target} leads it`))
  } finally {
    clearInterval(ticker)
    for (const replica of replicas.values()) await replica.close()
    for (const log of logs) await log.close()
  }
})

test.run()
