// Topic configs under Kafka's names, both ways: CreateTopics' string entries become a Weir
// TopicConfig through the native parser (so ranges and messages are the native listener's), and a
// topic's stored config becomes DescribeConfigs entries with Kafka's sources, flags and synonyms.
// Only settings Weir has under a Kafka name are spoken; Weir's own `fsync` has no Kafka name
// (Kafka's flush.ms/flush.messages count differently) and is accepted only under its own name.
import {
  Kafka,
  parseTopicConfigEntries,
  type TopicConfig,
  topicConfigAliases,
  topicConfigKeys,
  WeirError,
} from '@weir/protocol'
import { defaultLogConfig, type LogConfig, resolveLogConfig } from '@weir/storage'
import { toLogConfig } from '../topic-config.js'

type KafkaTopicConfigName = keyof typeof topicConfigAliases

/** Each Kafka topic config and the broker setting Kafka lists as its synonym, with the log field. */
const kafkaTopicConfigs: readonly {
  readonly name: KafkaTopicConfigName
  readonly brokerName: string
  readonly field: keyof LogConfig
}[] = [
  { name: 'cleanup.policy', brokerName: 'log.cleanup.policy', field: 'cleanupPolicy' },
  { name: 'delete.retention.ms', brokerName: 'log.cleaner.delete.retention.ms', field: 'deleteRetentionMs' },
  { name: 'max.message.bytes', brokerName: 'message.max.bytes', field: 'maxBatchBytes' },
  { name: 'retention.bytes', brokerName: 'log.retention.bytes', field: 'retentionBytes' },
  { name: 'retention.ms', brokerName: 'log.retention.ms', field: 'retentionMs' },
  { name: 'segment.bytes', brokerName: 'log.segment.bytes', field: 'segmentBytes' },
  { name: 'segment.ms', brokerName: 'log.roll.ms', field: 'segmentMs' },
]

/** Kafka's topic config names Weir understands, for messages and docs. */
export const kafkaTopicConfigNames: readonly string[] = kafkaTopicConfigs.map((config) => config.name)

export interface KafkaConfigEntry {
  readonly name: string
  /** null: the broker's default (the entry is left out). */
  readonly value: string | null
}

/**
 * A CreateTopics topic's configs as a TopicConfig. Errors: INVALID_CONFIG naming the first entry
 * Weir does not have, or a value of the wrong type (ranges are checked when the topic is made).
 */
export function topicConfigFromKafka(entries: readonly KafkaConfigEntry[]): TopicConfig {
  const given: string[] = []
  for (const { name, value } of entries) {
    if (!(name in topicConfigAliases) && !(topicConfigKeys as readonly string[]).includes(name)) {
      throw new WeirError(
        'INVALID_CONFIG',
        `topic config ${JSON.stringify(name)} is not supported by Weir; leave it out, or use one of ${kafkaTopicConfigNames.join(', ')} (Weir's own: fsync)`,
      )
    }
    if (value !== null) given.push(`${name}=${value}`)
  }
  return parseTopicConfigEntries(given, 'topic config')
}

/** Kafka's ConfigSource numbers (DescribeConfigs v1+). */
const source = {
  topic: Kafka.ConfigSource.topic,
  staticBroker: Kafka.ConfigSource.staticBroker,
  defaultConfig: Kafka.ConfigSource.defaultConfig,
} as const

export interface DescribeOptions {
  /** configurationKeys: null for every config. */
  readonly keys: readonly string[] | null
  readonly includeSynonyms: boolean
}

/**
 * A topic's effective config as Kafka reports it. `stored` is what the topic was created with
 * (the broker's topicDefaults laid under the request's settings); `topicDefaults` the broker's
 * current ones. A stored value equal to the broker default reads as the broker's (Kafka's
 * STATIC_BROKER_CONFIG): Weir does not record which of the two set it. Read-only: Weir has no
 * AlterConfigs, a topic's config is fixed at creation.
 */
export function describeTopicConfig(
  stored: Partial<LogConfig>,
  topicDefaults: TopicConfig,
  options: DescribeOptions,
): Kafka.DescribedConfig[] {
  const effective = resolveLogConfig(stored)
  const brokerDefaults = toLogConfig(topicDefaults)
  const described: Kafka.DescribedConfig[] = []
  for (const config of kafkaTopicConfigs) {
    if (options.keys !== null && !options.keys.includes(config.name)) continue
    const storedValue = stored[config.field]
    const brokerValue = brokerDefaults[config.field]
    const entrySource =
      storedValue === undefined
        ? source.defaultConfig
        : storedValue === brokerValue
          ? source.staticBroker
          : source.topic
    // Most specific first, the entry's own source at the head, as Kafka lists them.
    const synonyms = [
      { name: config.name, value: text(storedValue), source: source.topic },
      { name: config.brokerName, value: text(brokerValue), source: source.staticBroker },
      { name: config.brokerName, value: text(defaultLogConfig[config.field]), source: source.defaultConfig },
    ].filter((synonym) => synonym.value !== null && synonym.source >= entrySource)
    described.push({
      name: config.name,
      value: text(effective[config.field]),
      readOnly: true,
      isDefault: entrySource === source.defaultConfig,
      configSource: entrySource,
      isSensitive: false,
      synonyms: options.includeSynonyms ? synonyms : [],
    })
  }
  return described
}

export interface BrokerSettings {
  readonly brokerId: number
  readonly topicDefaults: TopicConfig
  readonly maxFrameBytes: number
  readonly idleTimeoutMs: number
  readonly maxConnections: number
  readonly maxConnectionsPerIp: number
}

/**
 * The broker settings that have a Kafka name: its id, the topic defaults under Kafka's broker
 * names, frame and connection limits, and the defaults CreateTopics uses for -1. All read-only
 * (Weir has no dynamic broker config); set at start, so STATIC_BROKER_CONFIG, except the topic
 * defaults the broker was not given (DEFAULT_CONFIG) and the two fixed CreateTopics defaults.
 */
export function describeBrokerConfig(
  settings: BrokerSettings,
  options: DescribeOptions,
): Kafka.DescribedConfig[] {
  const brokerDefaults = toLogConfig(settings.topicDefaults)
  const effective = resolveLogConfig(brokerDefaults)
  const entries: { name: string; value: string; configSource: number }[] = [
    { name: 'broker.id', value: String(settings.brokerId), configSource: source.staticBroker },
    ...kafkaTopicConfigs.map((config) => ({
      name: config.brokerName,
      value: String(effective[config.field]),
      configSource: brokerDefaults[config.field] === undefined ? source.defaultConfig : source.staticBroker,
    })),
    {
      name: 'socket.request.max.bytes',
      value: String(settings.maxFrameBytes),
      configSource: source.staticBroker,
    },
    {
      name: 'connections.max.idle.ms',
      value: String(settings.idleTimeoutMs),
      configSource: source.staticBroker,
    },
    { name: 'max.connections', value: String(settings.maxConnections), configSource: source.staticBroker },
    {
      name: 'max.connections.per.ip',
      value: String(settings.maxConnectionsPerIp),
      configSource: source.staticBroker,
    },
    { name: 'num.partitions', value: String(defaultPartitions), configSource: source.defaultConfig },
    {
      name: 'default.replication.factor',
      value: String(defaultReplicationFactor),
      configSource: source.defaultConfig,
    },
  ]
  return entries
    .filter((entry) => options.keys === null || options.keys.includes(entry.name))
    .map((entry) => ({
      ...entry,
      readOnly: true,
      isDefault: entry.configSource === source.defaultConfig,
      isSensitive: false,
      synonyms: options.includeSynonyms
        ? [{ name: entry.name, value: entry.value, source: entry.configSource }]
        : [],
    }))
}

/** CreateTopics' numPartitions -1 (Kafka's num.partitions default). */
export const defaultPartitions = 1
/** CreateTopics' replicationFactor -1 (Kafka's default.replication.factor default; Weir's CLI default). */
export const defaultReplicationFactor = 1

function text(value: LogConfig[keyof LogConfig] | undefined): string | null {
  return value === undefined ? null : String(value)
}
