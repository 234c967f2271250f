// The wire's TopicConfig and storage's LogConfig differ in one name: a topic's `maxMessageBytes`
// is the log's `maxBatchBytes` (a Produce carries batches). Everything else maps one to one.
import type { TopicConfig } from '@weir/protocol'
import { type LogConfig, resolveLogConfig } from '@weir/storage'

export function toLogConfig(config: TopicConfig): Partial<LogConfig> {
  const { maxMessageBytes, ...same } = config
  const log: Partial<LogConfig> = { ...same }
  return maxMessageBytes === undefined ? log : { ...log, maxBatchBytes: maxMessageBytes }
}

export function fromLogConfig(config: LogConfig): TopicConfig {
  return {
    retentionMs: config.retentionMs,
    retentionBytes: config.retentionBytes,
    segmentBytes: config.segmentBytes,
    segmentMs: config.segmentMs,
    fsync: config.fsync,
    maxMessageBytes: config.maxBatchBytes,
    cleanupPolicy: config.cleanupPolicy,
    deleteRetentionMs: config.deleteRetentionMs,
  }
}

/** Request config over the broker's defaults, checked by storage (INVALID_CONFIG naming the field). */
export function mergeTopicConfig(defaults: TopicConfig, requested: TopicConfig): Partial<LogConfig> {
  const merged = toLogConfig({ ...defaults, ...stripUndefined(requested) })
  resolveLogConfig(merged)
  return merged
}

function stripUndefined(config: TopicConfig): TopicConfig {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined))
}
