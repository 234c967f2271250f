// Reading `<topic>/topic.json` back. The file is ours, but a disk, a restore from backup or a hand
// edit can leave anything in it: every field is checked, and a bad one is NOT_A_WEIR_LOG (or
// INVALID_CONFIG for the config) naming the file, the field and what to do, never a TypeError.
import { WeirError } from '@weir/protocol'
import { defaultLogConfig, type LogConfig, resolveLogConfig } from './log-config.js'

/** The largest partition count a topic may have. */
export const partitionCountMax = 10_000
const logConfigKeys = Object.keys(defaultLogConfig) as readonly (keyof LogConfig)[]

export interface StoredTopicMetadata {
  readonly name: string
  readonly partitions: number
  readonly config: Partial<LogConfig>
}

/** Pure. Errors: NOT_A_WEIR_LOG and INVALID_CONFIG, each naming `path`. */
export function parseTopicMetadata(path: string, name: string, bytes: Buffer): StoredTopicMetadata {
  const refuse = (what: string): never => {
    throw new WeirError(
      'NOT_A_WEIR_LOG',
      `${path} ${what}; restore it from the topic's other replicas or a backup, or delete the topic's directory`,
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch {
    return refuse('is not valid JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return refuse('is not a JSON object')
  const fields = parsed as Record<string, unknown>
  if (fields.name !== name) return refuse(`names topic ${JSON.stringify(fields.name)}, not ${name}`)
  const { partitions } = fields
  if (
    typeof partitions !== 'number' ||
    !Number.isInteger(partitions) ||
    partitions < 1 ||
    partitions > partitionCountMax
  ) {
    return refuse(
      `has partitions ${JSON.stringify(partitions)}, not an integer from 1 to ${partitionCountMax}`,
    )
  }
  return { name, partitions, config: parseConfig(path, fields.config) }
}

function parseConfig(path: string, value: unknown): Partial<LogConfig> {
  if (value === undefined) return {}
  const invalid = (what: string): never => {
    throw new WeirError(
      'INVALID_CONFIG',
      `${path}: config${what}; fix the value in the file or delete the key to use the default`,
    )
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalid(' is not a JSON object')
  for (const key of Object.keys(value)) {
    if (!(logConfigKeys as readonly string[]).includes(key)) {
      invalid(`.${key} is not a log config key (known: ${logConfigKeys.join(', ')})`)
    }
  }
  const config = value as Partial<LogConfig>
  try {
    resolveLogConfig(config)
  } catch (error) {
    // resolveLogConfig's message names the key and its range.
    return invalid(`: ${(error as WeirError).message}`)
  }
  return config
}
