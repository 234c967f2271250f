// Proves a follower catches up on a compacted topic from a leader whose cleaner already ran, with real `weir broker` processes: restoring from the leader's log (the leader restarted, so no entry is in its Raft window), it copies the cleaned batches (fewer records than offsets), gets the same batch offset ranges as the leader (one batch, one Raft entry), holds only records that were produced, at their offsets, and every key's latest value.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client, codecs, defineTopic } from '@weir/client'
import {
  decodeRecordBatch,
  inspectBatch,
  isControlBatch,
  lastOffsetAt,
  readBatchHeader,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startCluster, type TestCluster, waitFor } from './cluster-support.js'

const config = { limits: { cleanerIntervalMs: 100 } }
let cluster: TestCluster
let client: Client

test.before(async () => {
  cluster = await startCluster(3, config)
  client = new Client({ brokers: cluster.bootstrap, clientId: 'compacted-catch-up', maxMetadataAgeMs: 1000 })
})

test.after(async () => {
  await client?.close()
  await cluster?.close()
})

interface StoredLog {
  /** [baseOffset, lastOffset] of every whole batch, in order. */
  readonly ranges: string[]
  /** `offset:key=value` of every record. */
  readonly records: string[]
  readonly recordCount: number
}

/** One replica's partition read straight from its segment files (whole batches only: the active one may be mid-write). */
function storedLog(id: number, topic: string): StoredLog {
  const directory = join(cluster.brokers[id - 1]!.dataDir, topic, '0')
  const ranges: string[] = []
  const records: string[] = []
  for (const file of readdirSync(directory)
    .filter((name) => name.endsWith('.log'))
    .sort()) {
    const bytes = readFileSync(join(directory, file))
    let position = 0
    while (position < bytes.length) {
      const check = inspectBatch(bytes, position, bytes.length)
      if (!check.ok) break
      const batch = bytes.subarray(position, position + check.size)
      ranges.push(`${readBatchHeader(batch).baseOffset}-${lastOffsetAt(batch)}`)
      // Raft's own control batches (a new leader's no-op) are entries, not records.
      const decoded = isControlBatch(batch) ? [] : decodeRecordBatch(batch).records
      for (const record of decoded) {
        records.push(`${record.offset}:${record.key}=${record.value}`)
      }
      position += check.size
    }
  }
  return { ranges, records, recordCount: records.length }
}

test('a follower restarted after the leader compacted copies cleaned batches into the same offsets', async () => {
  const name = 'ledger'
  await waitFor('topic created', 15_000, async () => {
    await client.admin().createTopic({
      topic: name,
      partitions: 1,
      replicationFactor: 3,
      config: { cleanupPolicy: 'compact', segmentBytes: 2048 },
    })
    return true
  })
  const description = await waitFor('a leader', 15_000, async () => {
    const partition = (await client.admin().describeTopic(name)).partitions[0]!
    return partition.leader > 0 ? partition : undefined
  })
  const leader = description.leader
  const follower = description.replicas.find((id) => id !== leader)!
  await cluster.kill(follower)
  const topic = defineTopic<string>({ name, codec: codecs.string })
  const producer = client.producer({ acks: 'all', lingerMs: 0 })
  const produced = new Map<string, string>()
  const latest = new Map<string, string>()
  for (let round = 0; round < 60; round++) {
    for (const key of ['a', 'b', 'c', 'd']) {
      const value = `${key}-${round}`.padEnd(30, '.')
      const { offset } = await producer.send({ topic, key, value })
      produced.set(`${offset}`, `${offset}:${key}=${value}`)
      latest.set(key, `${offset}:${key}=${value}`)
    }
  }
  await producer.close()
  const written = produced.size
  // Both replicas up compact what they have (everything is committed by the two of them).
  const other = description.replicas.find((id) => id !== leader && id !== follower)!
  for (const id of [leader, other]) {
    await waitFor(`broker ${id} to compact`, 60_000, async () =>
      storedLog(id, name).recordCount < written / 2 ? true : undefined,
    )
  }
  // A restarted leader holds no entry payloads in memory (its Raft window), so the follower cannot
  // be sent the original batches: it must restore from a log, copying cleaned batches with Fetch.
  await cluster.kill(leader)
  await cluster.restart(leader)
  await cluster.restart(follower)
  const leaderLog = await waitFor('the follower to catch up', 90_000, async () => {
    const current = (await client.admin().describeTopic(name)).partitions[0]!.leader
    if (current !== leader && current !== other) return undefined
    const ahead = storedLog(current, name)
    const behind = storedLog(follower, name)
    return ahead.ranges.length > 0 && behind.ranges.at(-1) === ahead.ranges.at(-1) ? ahead : undefined
  })
  const followerLog = storedLog(follower, name)
  assert.equal(followerLog.ranges, leaderLog.ranges, 'the same batches at the same offsets')
  // Copied cleaned (the restarted leader had no payloads to send), or cleaned here since: either way compacted.
  assert.ok(
    followerLog.recordCount < written / 2,
    `the follower copied cleaned batches (${followerLog.recordCount} records)`,
  )
  for (const record of followerLog.records) {
    assert.is(produced.get(record.split(':')[0]!), record, 'only produced records, at their offsets')
  }
  for (const record of latest.values()) assert.ok(followerLog.records.includes(record), `${record} kept`)
})

test.run()
