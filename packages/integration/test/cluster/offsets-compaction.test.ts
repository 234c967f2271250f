// Proves __consumer_offsets is compacted in a cluster too, with real processes: after many offset
// commits every replica of the partition has cut its log's prefix (the cut goes through Raft), and
// when the coordinator's broker is SIGKILLed the new coordinator still answers the latest offsets.
import { Client, Connection } from '@weir/client'
import { Metadata, nodeTimers, OffsetCommit, OffsetFetch, tcpTransport } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startCluster, type TestCluster, waitFor } from './cluster-support.js'

const groupId = 'compacted-group'
const groups = { offsetsPartitions: 1, compactionRecordsMin: 20 }
let cluster: TestCluster
let client: Client

test.before(async () => {
  cluster = await startCluster(3, { groups })
  client = new Client({ brokers: cluster.bootstrap, clientId: 'compaction-test', maxMetadataAgeMs: 1000 })
})

test.after(async () => {
  await client?.close()
  await cluster?.close()
})

function connect(port: number): Promise<Connection> {
  return Connection.open({
    host: '127.0.0.1',
    port,
    connectTimeoutMs: 2000,
    requestTimeoutMs: 5000,
    inFlightMax: 1,
    frameBytesMax: 1024 * 1024,
    transport: tcpTransport,
    timers: nodeTimers,
  })
}

async function coordinator(): Promise<number> {
  return waitFor('a coordinator', 15_000, async () => {
    const leader = (await client.admin().describeTopic('__consumer_offsets')).partitions[0]?.leader ?? -1
    return leader > 0 ? leader : undefined
  })
}

const portOf = (id: number) => cluster.brokers.find((broker) => broker.id === id)!.port

test('every replica cuts the compacted prefix; a new coordinator has the latest offsets', async () => {
  await waitFor('topic created', 15_000, async () => {
    await client.admin().createTopic({ topic: 'orders', partitions: 2, replicationFactor: 3 })
    return true
  })
  const leader = await coordinator()
  const connection = await connect(portOf(leader))
  const commit = (offset: number) =>
    connection.request(OffsetCommit, {
      groupId,
      generationId: -1,
      memberId: '',
      topics: [{ name: 'orders', partitions: [{ partition: offset % 2, offset }] }],
    })
  await waitFor('the coordinator takes commits', 15_000, async () =>
    (await commit(1)).topics[0]!.partitions[0]!.errorCode === 0 ? true : undefined,
  )
  for (let offset = 2; offset <= 100; offset++) {
    const answer = await commit(offset)
    assert.is(answer.topics[0]!.partitions[0]!.errorCode, 0, `commit ${offset}`)
  }
  connection.close()

  // Each broker's Metadata gives its own replica's log start.
  await waitFor('every replica cut its prefix', 15_000, async () => {
    const starts = await Promise.all(
      cluster.brokers.map(async (broker) => {
        const at = await connect(broker.port)
        try {
          const metadata = await at.request(Metadata, { topics: ['__consumer_offsets'] })
          return metadata.topics[0]!.partitions[0]!.logStartOffset
        } finally {
          at.close()
        }
      }),
    )
    return starts.every((start) => start > 50) ? true : undefined
  })

  await cluster.kill(leader)
  const next = await waitFor('a new coordinator', 15_000, async () => {
    const id = await coordinator()
    return id !== leader ? id : undefined
  })
  const answer = await waitFor('the new coordinator answers offsets', 15_000, async () => {
    const at = await connect(portOf(next))
    try {
      const fetched = await at.request(OffsetFetch, {
        groupId,
        topics: [{ name: 'orders', partitions: [0, 1] }],
      })
      return fetched.errorCode === 0 ? fetched : undefined
    } finally {
      at.close()
    }
  })
  assert.equal(
    answer.topics[0]!.partitions.map((partition) => partition.offset),
    [100, 99],
  )
})

test.run()
