// Proves CreatePartitions over real sockets: a topic grows (growth only; validateOnly checks and changes nothing), the new partitions take produce and survive a restart, the internal and unknown topics are refused, and a group subscribed to the topic rebalances while one on another topic does not.
import {
  CreatePartitions,
  ErrorCodes,
  encodeConsumerSubscription,
  Heartbeat,
  JoinGroup,
  Metadata,
  SyncGroup,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import {
  batchOf,
  createTopic,
  produce,
  readAll,
  recordsFor,
  removeTempDirectories,
  startBroker,
  tempDirectory,
} from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

const { INVALID_CONFIG, INVALID_TOPIC, UNKNOWN_TOPIC, REBALANCE_IN_PROGRESS } = ErrorCodes

test.after(() => removeTempDirectories())

async function groupBroker(dataDir = tempDirectory()): Promise<Broker> {
  const broker = await startBroker({
    dataDir,
    groups: { offsetsPartitions: 2, limits: { minSessionTimeoutMs: 10 } },
  })
  await broker.groups.loaded
  return broker
}

/** One member joins `groupId` subscribed to `topic`, assigns itself nothing and syncs: the group is stable. */
async function stableGroup(client: WireClient, groupId: string, topic: string) {
  const joined = await client.call(JoinGroup, {
    groupId,
    sessionTimeoutMs: 5000,
    rebalanceTimeoutMs: 3000,
    memberId: '',
    protocolType: 'consumer',
    protocols: [
      {
        name: 'range',
        metadata: encodeConsumerSubscription({
          topics: [topic],
          ownedPartitions: new Map(),
          generationId: -1,
        }),
      },
    ],
    clientId: 'test',
  })
  assert.is(joined.errorCode ?? 0, 0, joined.errorMessage)
  const member = { groupId, memberId: joined.memberId, generationId: joined.generationId }
  const synced = await client.call(SyncGroup, {
    ...member,
    assignments: [{ memberId: joined.memberId, assignment: Buffer.alloc(0) }],
  })
  assert.is(synced.errorCode ?? 0, 0, synced.errorMessage)
  return async () => (await client.call(Heartbeat, member)).errorCode ?? 0
}

test('a topic grows; new partitions take records and survive a restart; only growth is allowed', async () => {
  const dataDir = tempDirectory()
  const broker = await groupBroker(dataDir)
  const client = await WireClient.connect(broker.address.port)
  await createTopic(client, 'orders', 2, { fsync: 'never' })
  const grown = await client.call(CreatePartitions, { topics: [{ name: 'orders', count: 4 }] })
  assert.equal(grown.topics, [{ name: 'orders', errorCode: 0 }])
  const metadata = await client.call(Metadata, { topics: ['orders'] })
  assert.is(metadata.topics[0]!.partitions.length, 4)
  assert.is(metadata.topics[0]!.config.fsync, 'never')
  assert.is((await produce(client, 'orders', 3, batchOf(recordsFor('new', 2)))).errorCode, 0)

  const refused = await client.call(CreatePartitions, {
    topics: [
      { name: 'orders', count: 4 },
      { name: 'orders', count: 3 },
      { name: 'missing', count: 2 },
      { name: '__consumer_offsets', count: 8 },
    ],
  })
  assert.equal(
    refused.topics.map((topic) => topic.errorCode),
    [INVALID_CONFIG.code, INVALID_CONFIG.code, UNKNOWN_TOPIC.code, INVALID_TOPIC.code],
  )
  assert.match(refused.topics[0]!.errorMessage ?? '', /has 4 partition/)
  await client.close()
  await broker.close()

  const restarted = await groupBroker(dataDir)
  const again = await WireClient.connect(restarted.address.port)
  const reopened = await again.call(Metadata, { topics: ['orders'] })
  assert.is(reopened.topics[0]!.partitions.length, 4)
  assert.equal(
    (await readAll(again, 'orders', 3)).map((record) => record.value),
    ['new-0', 'new-1'],
  )
  await again.close()
  await restarted.close()
})

test('growing a topic rebalances the groups subscribed to it and no others', async () => {
  const broker = await groupBroker()
  const client = await WireClient.connect(broker.address.port)
  await createTopic(client, 'orders', 2, { fsync: 'never' })
  await createTopic(client, 'payments', 2, { fsync: 'never' })
  const ordersHeartbeat = await stableGroup(client, 'billing', 'orders')
  const paymentsHeartbeat = await stableGroup(client, 'audit', 'payments')
  assert.is(await ordersHeartbeat(), 0)
  const grown = await client.call(CreatePartitions, { topics: [{ name: 'orders', count: 3 }] })
  assert.is(grown.topics[0]!.errorCode, 0)
  assert.is(await ordersHeartbeat(), REBALANCE_IN_PROGRESS.code)
  assert.is(await paymentsHeartbeat(), 0)
  await client.close()
  await broker.close()
})

test('validateOnly answers as the real request would and changes nothing, not even a rebalance', async () => {
  const broker = await groupBroker()
  const client = await WireClient.connect(broker.address.port)
  await createTopic(client, 'orders', 2, { fsync: 'never' })
  try {
    const heartbeat = await stableGroup(client, 'billing', 'orders')
    const checked = await client.call(CreatePartitions, {
      topics: [
        { name: 'orders', count: 5 },
        { name: 'orders', count: 2 },
        { name: 'missing', count: 2 },
      ],
      validateOnly: true,
    })
    assert.equal(
      checked.topics.map((topic) => topic.errorCode),
      [0, INVALID_CONFIG.code, UNKNOWN_TOPIC.code],
    )
    const metadata = await client.call(Metadata, { topics: ['orders'] })
    assert.is(metadata.topics[0]!.partitions.length, 2)
    assert.is(await heartbeat(), 0)
  } finally {
    await client.close()
    await broker.close()
  }
})

test.run()
