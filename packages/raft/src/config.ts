// Config entry payloads. A config entry written by proposeConfigChange also records the config it
// replaced, so a restarted node can undo it if the entry is truncated (the host only gives back
// the tail above commit, not the config that was in effect before it).
import type { ClusterConfig, NodeId } from './types.js'

interface ConfigPayload {
  readonly voters: readonly NodeId[]
  readonly previous?: readonly NodeId[]
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The data of a config entry: UTF-8 JSON `{"voters":[...]}`. */
export function encodeConfig(config: ClusterConfig): Uint8Array {
  return encoder.encode(JSON.stringify({ voters: [...config.voters] }))
}

export function decodeConfig(data: Uint8Array): ClusterConfig {
  return { voters: decodeConfigPayload(data).voters }
}

/** Encodes a change together with the config it replaces. */
export function encodeConfigChange(config: ClusterConfig, previous: ClusterConfig): Uint8Array {
  return encoder.encode(JSON.stringify({ voters: [...config.voters], previous: [...previous.voters] }))
}

/** The config this entry replaced, when it was recorded. */
export function previousConfig(data: Uint8Array): ClusterConfig | undefined {
  const previous = decodeConfigPayload(data).previous
  return previous === undefined ? undefined : { voters: previous }
}

function decodeConfigPayload(data: Uint8Array): ConfigPayload {
  const parsed: unknown = JSON.parse(decoder.decode(data))
  if (!isPayload(parsed)) throw new TypeError('raft: config entry data is not {"voters": number[]}')
  return parsed
}

function isPayload(value: unknown): value is ConfigPayload {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  const isIds = (ids: unknown) => Array.isArray(ids) && ids.every((id) => Number.isInteger(id) && id > 0)
  return isIds(record.voters) && (record.previous === undefined || isIds(record.previous))
}
