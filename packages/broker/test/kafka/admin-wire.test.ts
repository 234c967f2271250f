// Proves CreateTopics, DeleteTopics and DescribeConfigs on the Kafka listener over a real socket at
// every version: topics are made through the native path with Kafka config names (validateOnly
// makes nothing), each topic fails on its own with Kafka's code and a message, and DescribeConfigs
// reports what the topic was created with, Kafka's way.
import { Kafka } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { removeTempDirectories, startBroker } from '../support/broker.js'
import { KafkaWire } from './kafka-wire.js'

const codes = Kafka.KafkaErrorCodes
let broker: Broker
let wire: KafkaWire

test.before(async () => {
  broker = await startBroker({ kafkaListen: '127.0.0.1:0', topicDefaults: { segmentBytes: 1_048_576 } })
  wire = await KafkaWire.connect(broker.kafkaAddress!.port)
})

test.after(async () => {
  wire.close()
  await broker.close()
  removeTempDirectories()
})

function topic(name: string, more: Partial<Kafka.CreatableTopic> = {}): Kafka.CreatableTopic {
  return { name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [], ...more }
}

function create(version: number, topics: Kafka.CreatableTopic[], validateOnly = false) {
  return wire.call(Kafka.createTopicsApi, version, { topics, timeoutMs: 30_000, validateOnly })
}

test('CreateTopics makes the topic with its partitions and Kafka-named configs, at every version', async () => {
  for (let version = 0; version <= 4; version++) {
    const name = `created-v${version}`
    const answer = await create(version, [
      topic(name, {
        numPartitions: 3,
        replicationFactor: -1,
        configs: [
          { name: 'retention.ms', value: '3600000' },
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'max.message.bytes', value: null },
        ],
      }),
    ])
    assert.equal(answer.topics, [{ name, errorCode: 0, errorMessage: null }], `v${version}`)
    const created = broker.cluster.image.topic(name)
    assert.is(created?.replicas.length, 3)
    assert.is(created?.replicas[0]?.length, 1)
    assert.is(created?.config.retentionMs, 3_600_000)
    assert.is(created?.config.cleanupPolicy, 'compact')
    assert.is(created?.config.segmentBytes, 1_048_576, "the broker's topicDefaults under it")
  }
})

test('validateOnly checks without creating; an existing topic is TOPIC_ALREADY_EXISTS either way', async () => {
  const checked = await create(4, [topic('validated', { numPartitions: 2 })], true)
  assert.is(checked.topics[0]?.errorCode, 0)
  assert.is(broker.cluster.image.topic('validated'), undefined)
  const bad = await create(
    4,
    [topic('validated', { configs: [{ name: 'segment.bytes', value: '10' }] })],
    true,
  )
  assert.is(bad.topics[0]?.errorCode, codes.INVALID_CONFIG.code)
  assert.match(String(bad.topics[0]?.errorMessage), /segmentBytes must be an integer from 1024/)
  assert.is((await create(4, [topic('exists')])).topics[0]?.errorCode, 0)
  for (const validateOnly of [true, false]) {
    const again = await create(4, [topic('exists')], validateOnly)
    assert.is(again.topics[0]?.errorCode, codes.TOPIC_ALREADY_EXISTS.code)
    assert.match(String(again.topics[0]?.errorMessage), /exists already|already exists/)
  }
})

test('each topic fails alone with its Kafka code and a message saying what to do', async () => {
  const answer = await create(4, [
    topic('bad/name'),
    topic('unknown-config', { configs: [{ name: 'min.insync.replicas', value: '2' }] }),
    topic('assigned', {
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [{ partitionIndex: 0, brokerIds: [1] }],
    }),
    topic('twice'),
    topic('twice'),
    topic('too-many-replicas', { replicationFactor: 3 }),
    topic('no-partitions', { numPartitions: 0 }),
    topic('no-replicas', { replicationFactor: -2 }),
    topic('fine'),
  ])
  const byName = answer.topics.map((result) => [result.name, result.errorCode] as const)
  assert.equal(byName, [
    ['bad/name', codes.INVALID_TOPIC_EXCEPTION.code],
    ['unknown-config', codes.INVALID_CONFIG.code],
    ['assigned', codes.INVALID_REPLICA_ASSIGNMENT.code],
    ['twice', codes.INVALID_REQUEST.code],
    ['twice', codes.INVALID_REQUEST.code],
    ['too-many-replicas', codes.INVALID_CONFIG.code],
    ['no-partitions', codes.INVALID_PARTITIONS.code],
    ['no-replicas', codes.INVALID_REPLICATION_FACTOR.code],
    ['fine', 0],
  ])
  assert.match(String(answer.topics[1]?.errorMessage), /min\.insync\.replicas.*not supported/)
  assert.match(String(answer.topics[2]?.errorMessage), /weir topics reassign/)
  assert.match(String(answer.topics[5]?.errorMessage), /replicationFactor must be from 1 to 1/)
  assert.is(broker.cluster.image.topic('twice'), undefined)
  assert.ok(broker.cluster.image.topic('fine'))
})

test('a topic past the placement limits is POLICY_VIOLATION, the native limit', async () => {
  const limited = await startBroker({ kafkaListen: '127.0.0.1:0', limits: { maxPartitionsPerBroker: 100 } })
  const limitedWire = await KafkaWire.connect(limited.kafkaAddress!.port)
  try {
    const answer = await limitedWire.call(Kafka.createTopicsApi, 4, {
      topics: [topic('too-big', { numPartitions: 101 })],
      timeoutMs: 30_000,
      validateOnly: false,
    })
    assert.is(answer.topics[0]?.errorCode, codes.POLICY_VIOLATION.code)
    assert.match(String(answer.topics[0]?.errorMessage), /maxPartitionsPerBroker/)
    assert.is(limited.cluster.image.topic('too-big'), undefined)
  } finally {
    limitedWire.close()
    await limited.close()
  }
})

test('DeleteTopics removes each topic; unknown, internal and twice-named ones fail alone, at every version', async () => {
  for (let version = 0; version <= 3; version++) {
    const name = `deleted-v${version}`
    assert.is((await create(2, [topic(name)])).topics[0]?.errorCode, 0)
    const answer = await wire.call(Kafka.deleteTopicsApi, version, {
      topicNames: [name, `missing-v${version}`],
      timeoutMs: 30_000,
    })
    assert.equal(
      answer.responses.map((result) => [result.name, result.errorCode]),
      [
        [name, 0],
        [`missing-v${version}`, codes.UNKNOWN_TOPIC_OR_PARTITION.code],
      ],
    )
    assert.is(broker.cluster.image.topic(name), undefined)
  }
  const refused = await wire.call(Kafka.deleteTopicsApi, 3, {
    topicNames: ['__consumer_offsets', 'kept', 'kept'],
    timeoutMs: 30_000,
  })
  assert.equal(
    refused.responses.map((result) => result.errorCode),
    [codes.INVALID_TOPIC_EXCEPTION.code, codes.INVALID_REQUEST.code, codes.INVALID_REQUEST.code],
  )
})

test('DescribeConfigs answers a topic at v0-v2: values, sources, default flags, synonyms on request', async () => {
  const configs = [{ name: 'retention.ms', value: '7200000' }]
  assert.is((await create(4, [topic('described', { configs })])).topics[0]?.errorCode, 0)
  const resource = {
    resourceType: Kafka.ConfigResourceType.topic,
    resourceName: 'described',
    configurationKeys: null,
  }
  const v0 = await wire.call(Kafka.describeConfigsApi, 0, { resources: [resource], includeSynonyms: false })
  const result = v0.results[0]!
  assert.is(result.errorCode, 0)
  const byName = new Map(result.configs.map((config) => [config.name, config]))
  assert.equal([...byName.keys()].sort(), [
    'cleanup.policy',
    'delete.retention.ms',
    'max.message.bytes',
    'retention.bytes',
    'retention.ms',
    'segment.bytes',
    'segment.ms',
  ])
  assert.is(byName.get('retention.ms')?.value, '7200000')
  assert.is(byName.get('retention.ms')?.isDefault, false)
  assert.is(byName.get('cleanup.policy')?.value, 'delete')
  assert.is(byName.get('cleanup.policy')?.isDefault, true)
  const v2 = await wire.call(Kafka.describeConfigsApi, 2, {
    resources: [{ ...resource, configurationKeys: ['retention.ms', 'segment.bytes'] }],
    includeSynonyms: true,
  })
  const [retention, segment] = v2.results[0]!.configs
  assert.is(retention?.configSource, Kafka.ConfigSource.topic)
  assert.equal(retention?.synonyms?.[0], { name: 'retention.ms', value: '7200000', source: 1 })
  assert.equal(segment?.value, '1048576')
  assert.is(segment?.configSource, Kafka.ConfigSource.staticBroker)
  assert.equal(segment?.synonyms?.[0], { name: 'log.segment.bytes', value: '1048576', source: 4 })
})

test('DescribeConfigs: an unknown topic, the broker, another broker and an unknown resource type', async () => {
  const answer = await wire.call(Kafka.describeConfigsApi, 1, {
    resources: [
      { resourceType: 2, resourceName: 'nowhere', configurationKeys: null },
      { resourceType: 4, resourceName: String(broker.cluster.selfId), configurationKeys: ['broker.id'] },
      { resourceType: 4, resourceName: '', configurationKeys: ['socket.request.max.bytes'] },
      { resourceType: 4, resourceName: '99', configurationKeys: null },
      { resourceType: 8, resourceName: 'x', configurationKeys: null },
    ],
    includeSynonyms: false,
  })
  const [unknown, self, anonymous, other, logger] = answer.results
  assert.is(unknown?.errorCode, codes.UNKNOWN_TOPIC_OR_PARTITION.code)
  assert.equal(
    self?.configs.map((config) => [config.name, config.value, config.readOnly]),
    [['broker.id', String(broker.cluster.selfId), true]],
  )
  assert.equal(
    anonymous?.configs.map((config) => config.value),
    [String(16 * 1024 * 1024)],
  )
  assert.is(other?.errorCode, codes.INVALID_REQUEST.code)
  assert.match(String(other?.errorMessage), /by sending the request to it/)
  assert.is(logger?.errorCode, codes.INVALID_REQUEST.code)
  assert.match(String(logger?.errorMessage), /Weir describes topics \(2\) and brokers \(4\)/)
})

test('ApiVersions advertises the admin and SASL APIs at the versions spoken', async () => {
  const versions = await wire.call(Kafka.apiVersionsApi, 3, {
    clientSoftwareName: 't',
    clientSoftwareVersion: '1',
  })
  const range = (apiKey: number) => versions.apiKeys.find((entry) => entry.apiKey === apiKey)
  assert.equal(range(Kafka.KafkaApiKeys.CreateTopics), { apiKey: 19, minVersion: 0, maxVersion: 4 })
  assert.equal(range(Kafka.KafkaApiKeys.DeleteTopics), { apiKey: 20, minVersion: 0, maxVersion: 3 })
  assert.equal(range(Kafka.KafkaApiKeys.DescribeConfigs), { apiKey: 32, minVersion: 0, maxVersion: 2 })
  assert.equal(range(Kafka.KafkaApiKeys.SaslHandshake), { apiKey: 17, minVersion: 0, maxVersion: 1 })
  assert.equal(range(Kafka.KafkaApiKeys.SaslAuthenticate), { apiKey: 36, minVersion: 0, maxVersion: 1 })
})

test.run()
