// Proves Kafka's topic config names map onto Weir's both ways: CreateTopics' string entries parse
// through the native rules (unknown names refused by name), and DescribeConfigs reports effective
// values with Kafka's sources, default flags and synonyms.
import { isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { creatableOf, invalidCounts } from '../../src/kafka/handlers/create-topics.js'
import {
  describeBrokerConfig,
  describeTopicConfig,
  kafkaTopicConfigNames,
  topicConfigFromKafka,
} from '../../src/kafka/kafka-topic-configs.js'

function refused(run: () => unknown, code: string, pattern: RegExp): void {
  try {
    run()
  } catch (error) {
    assert.ok(isWeirError(error), String(error))
    assert.is(error.code, code)
    assert.match(error.message, pattern)
    return
  }
  assert.unreachable('expected an error')
}

test('Kafka names and values become a TopicConfig; null means the default', () => {
  assert.equal(
    topicConfigFromKafka([
      { name: 'retention.ms', value: '86400000' },
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'segment.bytes', value: '1048576' },
      { name: 'max.message.bytes', value: '2048' },
      { name: 'retention.bytes', value: '-1' },
      { name: 'delete.retention.ms', value: null },
    ]),
    {
      retentionMs: 86_400_000,
      cleanupPolicy: 'compact',
      segmentBytes: 1_048_576,
      maxMessageBytes: 2048,
      retentionBytes: -1,
    },
  )
  assert.equal(topicConfigFromKafka([{ name: 'cleanup.policy', value: 'delete,compact' }]), {
    cleanupPolicy: 'compact,delete',
  })
  assert.equal(topicConfigFromKafka([{ name: 'fsync', value: 'never' }]), { fsync: 'never' })
})

test('an unknown config is INVALID_CONFIG naming it; a bad value names the config', () => {
  refused(
    () => topicConfigFromKafka([{ name: 'min.insync.replicas', value: '2' }]),
    'INVALID_CONFIG',
    /"min\.insync\.replicas" is not supported by Weir.*retention\.ms/,
  )
  refused(
    () => topicConfigFromKafka([{ name: 'retention.ms', value: 'a week' }]),
    'INVALID_CONFIG',
    /topic config.*retentionMs must be an integer/,
  )
  refused(
    () => topicConfigFromKafka([{ name: 'cleanup.policy', value: 'archive' }]),
    'INVALID_CONFIG',
    /cleanup\.policy must be one of/,
  )
})

test("CreateTopics -1 means one partition and one replica; other counts below 1 get Kafka's codes; assignments are refused", () => {
  const topic = { name: 't', numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }
  assert.equal(creatableOf(topic), { name: 't', partitions: 1, replicationFactor: 1, config: {} })
  assert.equal(creatableOf({ ...topic, numPartitions: 6, replicationFactor: 3 }).partitions, 6)
  assert.is(invalidCounts(topic), undefined)
  assert.is(invalidCounts({ ...topic, numPartitions: 0 })?.errorCode, 37, 'INVALID_PARTITIONS')
  assert.match(
    String(invalidCounts({ ...topic, numPartitions: -2 })?.errorMessage),
    /numPartitions must be at least 1/,
  )
  assert.is(invalidCounts({ ...topic, replicationFactor: 0 })?.errorCode, 38, 'INVALID_REPLICATION_FACTOR')
  refused(
    () => creatableOf({ ...topic, assignments: [{ partitionIndex: 0, brokerIds: [1] }] }),
    'INVALID_REPLICA_ASSIGNMENT',
    /numPartitions and replicationFactor instead/,
  )
})

const all = { keys: null, includeSynonyms: false }

test('a topic reports every Kafka-named config; sources say who set it', () => {
  // Created with retention.ms over broker defaults that set segment.bytes.
  const topicDefaults = { segmentBytes: 1_048_576 }
  const stored = { segmentBytes: 1_048_576, retentionMs: 60_000 }
  const configs = describeTopicConfig(stored, topicDefaults, all)
  assert.equal(
    configs.map((config) => config.name),
    [...kafkaTopicConfigNames],
  )
  const byName = new Map(configs.map((config) => [config.name, config]))
  assert.equal(byName.get('retention.ms'), {
    name: 'retention.ms',
    value: '60000',
    readOnly: true,
    isDefault: false,
    configSource: 1,
    isSensitive: false,
    synonyms: [],
  })
  assert.is(byName.get('segment.bytes')?.configSource, 4)
  assert.is(byName.get('segment.bytes')?.isDefault, false)
  assert.is(byName.get('cleanup.policy')?.value, 'delete')
  assert.is(byName.get('cleanup.policy')?.configSource, 5)
  assert.is(byName.get('cleanup.policy')?.isDefault, true)
  // The storage default batch limit follows a small segment.
  assert.is(byName.get('max.message.bytes')?.value, '1048576')
})

test('configurationKeys filters; synonyms list the entry first, then the broker setting and default', () => {
  const configs = describeTopicConfig(
    { retentionMs: 60_000 },
    { retentionMs: 3_600_000 },
    { keys: ['retention.ms', 'no.such.config'], includeSynonyms: true },
  )
  assert.is(configs.length, 1)
  assert.equal(configs[0]?.synonyms, [
    { name: 'retention.ms', value: '60000', source: 1 },
    { name: 'log.retention.ms', value: '3600000', source: 4 },
    { name: 'log.retention.ms', value: '604800000', source: 5 },
  ])
  const inherited = describeTopicConfig({}, {}, { keys: ['segment.ms'], includeSynonyms: true })
  assert.equal(inherited[0]?.synonyms, [{ name: 'log.roll.ms', value: '604800000', source: 5 }])
})

test('the broker reports its id, topic defaults under broker names and limits, all read-only', () => {
  const settings = {
    brokerId: 3,
    topicDefaults: { retentionMs: 3_600_000 },
    maxFrameBytes: 16_777_216,
    idleTimeoutMs: 600_000,
    maxConnections: 10_000,
    maxConnectionsPerIp: 1000,
  }
  const configs = describeBrokerConfig(settings, all)
  const byName = new Map(configs.map((config) => [config.name, config]))
  assert.is(byName.get('broker.id')?.value, '3')
  assert.is(byName.get('log.retention.ms')?.value, '3600000')
  assert.is(byName.get('log.retention.ms')?.configSource, 4)
  assert.is(byName.get('log.cleanup.policy')?.configSource, 5)
  assert.is(byName.get('socket.request.max.bytes')?.value, '16777216')
  assert.is(byName.get('num.partitions')?.value, '1')
  assert.ok(configs.every((config) => config.readOnly))
  assert.equal(describeBrokerConfig(settings, { keys: ['broker.id'], includeSynonyms: true }), [
    {
      name: 'broker.id',
      value: '3',
      configSource: 4,
      readOnly: true,
      isDefault: false,
      isSensitive: false,
      synonyms: [{ name: 'broker.id', value: '3', source: 4 }],
    },
  ])
})

test.run()
