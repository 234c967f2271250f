// Proves a 3-broker cluster's info log stays operator-sized through start, a topic and a failover: each leader change is logged at info once, by the broker that won it; no "has no leader" churn and no per-group hand-back lines at info.
import { Client } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startCluster, type TestCluster, waitFor } from './cluster-support.js'

type LogLine = { level: number; msg: string; group?: string; leaderId?: number }
const info = 30
let cluster: TestCluster | undefined
let client: Client | undefined

/** The JSON lines of a broker's output (anything else, such as a crash trace, is kept out). */
function lines(output: string): LogLine[] {
  return output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine]
    } catch {
      return []
    }
  })
}

test('leader changes are logged at info by their winner only, through start, a topic and a failover', async () => {
  cluster = await startCluster(3)
  client = new Client({ brokers: cluster.bootstrap, clientId: 'info-logs', maxMetadataAgeMs: 1000 })
  await waitFor('topic created', 15_000, async () => {
    await client!.admin().createTopic({ topic: 'quiet', partitions: 6, replicationFactor: 3 })
    return true
  })
  const everyPartitionLed = (avoid: number) =>
    waitFor(`a leader other than broker ${avoid} for every partition`, 30_000, async () => {
      const { partitions } = await client!.admin().describeTopic('quiet')
      return partitions.every((partition) => partition.leader > 0 && partition.leader !== avoid)
        ? true
        : undefined
    })
  await everyPartitionLed(0)
  // A failover: broker 3 goes away, its groups elect new leaders, then it comes back.
  await cluster.kill(3)
  await everyPartitionLed(3)
  await cluster.restart(3)
  await everyPartitionLed(0)

  for (const broker of cluster.brokers) {
    const atInfo = lines(broker.output).filter((line) => line.level === info)
    const leadership = atInfo.filter(
      (line) => line.group !== undefined && / is led by broker | has no leader$/.test(line.msg),
    )
    const others = leadership.filter((line) => line.leaderId !== broker.id)
    assert.equal(
      others.map((line) => line.msg),
      [],
      `broker ${broker.id} logged others' leadership at info`,
    )
    const handBacks = atInfo.filter((line) => line.msg.includes('back to its preferred leader'))
    assert.equal(
      handBacks.map((line) => line.msg),
      [],
      `broker ${broker.id} logged hand-backs at info`,
    )
  }
  // The winners did log: every partition of the topic has its election at info somewhere.
  const wonAtInfo = new Set(
    cluster.brokers.flatMap((broker) =>
      lines(broker.output)
        .filter(
          (line) => line.level === info && line.group?.startsWith('quiet/') && line.leaderId === broker.id,
        )
        .map((line) => line.group),
    ),
  )
  assert.is(wonAtInfo.size, 6, `elections logged at info: ${[...wonAtInfo].join(', ')}\n${cluster.logs()}`)
})

test.after(async () => {
  await client?.close()
  await cluster?.close()
})

test.run()
