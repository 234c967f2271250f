// Proves KafkaJS's admin client works against the Kafka listener unmodified: createTopics with
// partitions and Kafka config entries (and validateOnly, which makes nothing), an unknown config
// refused by name, describeConfigs of a topic and of the broker, deleteTopics; and that a topic it
// creates takes a KafkaJS producer's records.
import { type Admin, ConfigResourceTypes, Kafka as KafkaJs, logLevel } from 'kafkajs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { removeTempDirectories, startBroker } from '../support/broker.js'

let broker: Broker
let kafka: KafkaJs
let admin: Admin

test.before(async () => {
  broker = await startBroker({ kafkaListen: '127.0.0.1:0' })
  kafka = new KafkaJs({
    clientId: 'weir-kafka-admin-test',
    brokers: [`127.0.0.1:${broker.kafkaAddress!.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  })
  admin = kafka.admin()
  await admin.connect()
})

test.after(async () => {
  await admin.disconnect()
  await broker.close()
  removeTempDirectories()
})

test('createTopics makes the topic with its partitions and configs; validateOnly makes nothing', async () => {
  const created = await admin.createTopics({
    topics: [
      {
        topic: 'kafkajs-orders',
        numPartitions: 3,
        configEntries: [
          { name: 'retention.ms', value: '3600000' },
          { name: 'cleanup.policy', value: 'compact' },
        ],
      },
    ],
  })
  assert.is(created, true)
  const topic = broker.cluster.image.topic('kafkajs-orders')
  assert.is(topic?.replicas.length, 3)
  assert.is(topic?.config.retentionMs, 3_600_000)
  assert.is(topic?.config.cleanupPolicy, 'compact')
  const metadata = await admin.fetchTopicMetadata({ topics: ['kafkajs-orders'] })
  assert.is(metadata.topics[0]?.partitions.length, 3)
  assert.is(await admin.createTopics({ topics: [{ topic: 'kafkajs-orders' }] }), false, 'exists already')

  // waitForLeaders would ask Metadata for the topic validateOnly did not make (as against Kafka).
  const checked = await admin.createTopics({
    validateOnly: true,
    waitForLeaders: false,
    topics: [{ topic: 'kafkajs-dry-run' }],
  })
  assert.is(checked, true)
  assert.is(broker.cluster.image.topic('kafkajs-dry-run'), undefined)
  assert.not.ok((await admin.listTopics()).includes('kafkajs-dry-run'))
})

test('an unknown config is refused by name and nothing is created', async () => {
  try {
    await admin.createTopics({
      topics: [{ topic: 'kafkajs-refused', configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
    })
    assert.unreachable('an unknown config was accepted')
  } catch (error) {
    const errors = (error as { errors?: { type: string; message: string }[] }).errors ?? []
    assert.is(errors[0]?.type, 'INVALID_CONFIG', String(error))
  }
  assert.is(broker.cluster.image.topic('kafkajs-refused'), undefined)
})

test('describeConfigs reports a topic and the broker under Kafka names', async () => {
  const described = await admin.describeConfigs({
    includeSynonyms: true,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: 'kafkajs-orders',
        configNames: ['retention.ms', 'cleanup.policy'],
      },
      { type: ConfigResourceTypes.BROKER, name: String(broker.cluster.selfId), configNames: ['broker.id'] },
    ],
  })
  const [topic, self] = described.resources
  assert.is(topic?.errorCode, 0)
  const entries = new Map(topic?.configEntries.map((entry) => [entry.configName, entry]))
  assert.is(entries.get('retention.ms')?.configValue, '3600000')
  assert.is(entries.get('retention.ms')?.isDefault, false)
  assert.is(entries.get('cleanup.policy')?.configValue, 'compact')
  assert.is(entries.get('retention.ms')?.configSynonyms[0]?.configName, 'retention.ms')
  assert.equal(
    self?.configEntries.map((entry) => [entry.configName, entry.configValue]),
    [['broker.id', String(broker.cluster.selfId)]],
  )
})

test("a topic KafkaJS created takes its producer's records; deleteTopics removes it", async () => {
  assert.is(await admin.createTopics({ topics: [{ topic: 'kafkajs-roundtrip', numPartitions: 1 }] }), true)
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic: 'kafkajs-roundtrip', messages: [{ key: 'k', value: 'hello' }] })
  await producer.disconnect()
  const offsets = await admin.fetchTopicOffsets('kafkajs-roundtrip')
  assert.equal(
    offsets.map((offset) => offset.high),
    ['1'],
  )

  await admin.deleteTopics({ topics: ['kafkajs-roundtrip', 'kafkajs-orders'] })
  assert.is(broker.cluster.image.topic('kafkajs-roundtrip'), undefined)
  assert.is(broker.cluster.image.topic('kafkajs-orders'), undefined)
  assert.not.ok((await admin.listTopics()).includes('kafkajs-orders'))
})

test.run()
