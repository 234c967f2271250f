// Topic configuration as it travels on the wire, in topic metadata and in `--config k=v` flags.
// Every field is optional: a broker fills what is missing from its defaults.
import { WeirError } from './weir-error.js'

export interface TopicConfig {
  /** Delete closed segments whose newest record is older than this; -1 keeps them forever. */
  readonly retentionMs?: number
  /** Delete the oldest closed segments while a partition is larger than this; -1 for no limit. */
  readonly retentionBytes?: number
  readonly segmentBytes?: number
  readonly segmentMs?: number
  /** 'always' (group commit), a number of ms between fsyncs, or 'never'. */
  readonly fsync?: 'always' | 'never' | number
  /** Largest record batch a Produce may carry for this topic. */
  readonly maxMessageBytes?: number
  /**
   * 'delete' (default): retention deletes old segments. 'compact': a background cleaner keeps the
   * latest record per key and retention deletes nothing. 'compact,delete': both.
   */
  readonly cleanupPolicy?: CleanupPolicy
  /** How long a tombstone (null value) stays readable after the cleaner first passed it. */
  readonly deleteRetentionMs?: number
}

export const cleanupPolicies = ['delete', 'compact', 'compact,delete'] as const
export type CleanupPolicy = (typeof cleanupPolicies)[number]

/** True when the policy compacts (keys required, the cleaner runs). */
export function isCompacted(policy: CleanupPolicy | undefined): boolean {
  return policy === 'compact' || policy === 'compact,delete'
}

/**
 * Kafka's dotted names, accepted wherever a topic config is read, so a config copied from Kafka or
 * rpk works as is. Each maps to the camelCase key it means.
 */
export const topicConfigAliases: Readonly<Record<string, TopicConfigKey>> = {
  'retention.ms': 'retentionMs',
  'retention.bytes': 'retentionBytes',
  'segment.bytes': 'segmentBytes',
  'segment.ms': 'segmentMs',
  'max.message.bytes': 'maxMessageBytes',
  'cleanup.policy': 'cleanupPolicy',
  'delete.retention.ms': 'deleteRetentionMs',
}

export const topicConfigKeys = [
  'retentionMs',
  'retentionBytes',
  'segmentBytes',
  'segmentMs',
  'fsync',
  'maxMessageBytes',
  'cleanupPolicy',
  'deleteRetentionMs',
] as const satisfies readonly (keyof TopicConfig)[]

type TopicConfigKey = (typeof topicConfigKeys)[number]

function isConfigKey(key: string): key is TopicConfigKey {
  return (topicConfigKeys as readonly string[]).includes(key)
}

/** Checks types only; ranges are checked where the config is applied (the broker's log config). */
export function checkTopicConfig(value: unknown, path = 'config'): TopicConfig {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new WeirError('INVALID_CONFIG', `${path} must be a map of ${topicConfigKeys.join(', ')}`)
  }
  const config: Record<string, number | string> = {}
  for (const [given, entry] of Object.entries(value)) {
    const key = topicConfigAliases[given] ?? given
    if (!isConfigKey(key)) {
      throw new WeirError(
        'INVALID_CONFIG',
        `${path}.${given} is not a topic config; known: ${topicConfigKeys.join(', ')} (or Kafka's ${Object.keys(topicConfigAliases).join(', ')})`,
      )
    }
    if (entry === undefined) continue
    if (key === 'cleanupPolicy') {
      config[key] = checkCleanupPolicy(entry, `${path}.${given}`)
      continue
    }
    const fsyncWord = key === 'fsync' && (entry === 'always' || entry === 'never')
    if (!fsyncWord && (typeof entry !== 'number' || !Number.isInteger(entry))) {
      const expected = key === 'fsync' ? "'always', 'never' or an integer (ms)" : 'an integer'
      throw new WeirError('INVALID_CONFIG', `${path}.${key} must be ${expected}, got ${describeValue(entry)}`)
    }
    config[key] = entry as number | string
  }
  return config as TopicConfig
}

function checkCleanupPolicy(value: unknown, path: string): CleanupPolicy {
  // Kafka lists the two policies in either order.
  const normalized = value === 'delete,compact' ? 'compact,delete' : value
  if (!(cleanupPolicies as readonly unknown[]).includes(normalized)) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${path} must be one of ${cleanupPolicies.map((policy) => `'${policy}'`).join(', ')}, got ${describeValue(value)}`,
    )
  }
  return normalized as CleanupPolicy
}

/**
 * Parses `key=value` strings (CLI flags, Kafka's CreateTopics configs): numbers as integers, fsync
 * also as 'always'/'never'. `source` names where the entries came from in error messages.
 */
export function parseTopicConfigEntries(entries: readonly string[], source = '--config'): TopicConfig {
  const config: Record<string, unknown> = {}
  for (const entry of entries) {
    const separator = entry.indexOf('=')
    if (separator <= 0)
      throw new WeirError(
        'INVALID_CONFIG',
        `${source} ${entry}: expected key=value, e.g. retentionMs=86400000`,
      )
    const key = entry.slice(0, separator).trim()
    const text = entry.slice(separator + 1).trim()
    const number = /^-?\d+$/.test(text) ? Number(text) : undefined
    if (number !== undefined && !Number.isSafeInteger(number)) {
      throw new WeirError(
        'INVALID_CONFIG',
        `${source} ${key} must be an integer from -1 to ${Number.MAX_SAFE_INTEGER}, got ${text}`,
      )
    }
    config[key] = number ?? text
  }
  return checkTopicConfig(config, source)
}

/** A value for a message; JSON.stringify alone throws on a bigint. */
function describeValue(value: unknown): string {
  return typeof value === 'bigint' ? `${value}n` : String(JSON.stringify(value))
}
