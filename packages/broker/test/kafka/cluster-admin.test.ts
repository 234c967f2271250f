// Proves KafkaJS's admin client against the Kafka listeners of a 3-broker cluster (in one process,
// real sockets): createTopics with replication factor 3 goes through the controller and every
// broker applies it, describeConfigs of each broker reaches that broker and names it, and
// deleteTopics removes the topic everywhere.
import { eventually } from '@weir/protocol/testing'
import { type Admin, ConfigResourceTypes } from 'kafkajs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { freePort, removeTempDirectories, startBroker } from '../support/broker.js'
import { kafkajs } from './kafkajs-support.js'

const secret = 'correct horse battery staple, long enough'
const brokers: Broker[] = []
let admin: Admin

test.before(async () => {
  const ports: { client: number; peer: number }[] = []
  for (let id = 1; id <= 3; id++) ports.push({ client: await freePort(), peer: await freePort() })
  const peers = ports.map(({ client, peer }, index) => `${index + 1}@127.0.0.1:${client}/${peer}`).join(',')
  brokers.push(
    ...(await Promise.all(
      ports.map(({ client }, index) =>
        startBroker({
          brokerId: index + 1,
          listen: `127.0.0.1:${client}`,
          peers,
          clusterSecret: secret,
          kafkaListen: '127.0.0.1:0',
        }),
      ),
    )),
  )
  // Bootstrapped at broker 2; KafkaJS finds the others (and the controller) through Metadata.
  admin = kafkajs(brokers[1]!.kafkaAddress!.port).admin()
  await admin.connect()
})

test.after(async () => {
  await admin.disconnect()
  await Promise.all(brokers.map((broker) => broker.close()))
  removeTempDirectories()
})

test('createTopics with replication factor 3 is applied by every broker', async () => {
  let lastError: unknown
  const create = () =>
    admin.createTopics({
      topics: [
        {
          topic: 'replicated',
          numPartitions: 3,
          replicationFactor: 3,
          configEntries: [{ name: 'retention.ms', value: '86400000' }],
        },
      ],
    })
  // A cluster still electing its controller answers a retriable error: try again, keep the reason.
  const created = eventually(
    'the cluster to create the topic',
    () =>
      create().then(
        () => true,
        (error: unknown) => {
          lastError = error
          return undefined
        },
      ),
    { timeoutMs: 60_000, intervalMs: 250 },
  )
  await created.catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last createTopics error: ${String(lastError)}`)
  })
  for (const broker of brokers) {
    const topic = await eventually(
      `broker ${broker.brokerId} to apply the topic`,
      () => broker.cluster.image.topic('replicated'),
      { timeoutMs: 30_000 },
    )
    assert.is(topic.replicas.length, 3)
    assert.ok(topic.replicas.every((replicas) => replicas.length === 3))
    assert.is(topic.config.retentionMs, 86_400_000)
  }
})

test('describeConfigs of each broker is answered by that broker', async () => {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: brokers.map((broker) => ({
      type: ConfigResourceTypes.BROKER,
      name: String(broker.brokerId),
      configNames: ['broker.id'],
    })),
  })
  const ids = described.resources.map((resource) => {
    assert.is(resource.errorCode, 0, resource.errorMessage ?? '')
    return resource.configEntries[0]?.configValue
  })
  assert.equal(ids.sort(), ['1', '2', '3'])
  const topic = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'replicated', configNames: ['retention.ms'] }],
  })
  assert.is(topic.resources[0]?.configEntries[0]?.configValue, '86400000')
})

test('deleteTopics removes the topic on every broker', async () => {
  await admin.deleteTopics({ topics: ['replicated'] })
  for (const broker of brokers)
    await eventually(
      `broker ${broker.brokerId} to forget the topic`,
      () => (broker.cluster.image.topic('replicated') === undefined ? true : undefined),
      { timeoutMs: 30_000 },
    )
})

test.run()
