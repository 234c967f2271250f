// Every API this build speaks, by key, so the broker can dispatch and ApiVersions can answer.
import type { ApiDefinition } from './api.js'
import { ApiVersions } from './api-versions.js'
import { CreateTopics } from './create-topics.js'
import { DeleteTopics } from './delete-topics.js'
import { Fetch } from './fetch.js'
import { ListOffsets } from './list-offsets.js'
import { Metadata } from './metadata.js'
import { Produce } from './produce.js'

export const apiDefinitions: readonly ApiDefinition<unknown, unknown>[] = [
  ApiVersions,
  Metadata,
  CreateTopics,
  DeleteTopics,
  Produce,
  Fetch,
  ListOffsets,
] as ApiDefinition<unknown, unknown>[]

const byKey = new Map(apiDefinitions.map((api) => [api.apiKey, api]))

export function apiByKey(apiKey: number): ApiDefinition<unknown, unknown> | undefined {
  return byKey.get(apiKey)
}

export * from './api.js'
export * from './api-versions.js'
export * from './create-topics.js'
export * from './delete-topics.js'
export * from './fetch.js'
export * from './list-offsets.js'
export * from './metadata.js'
export * from './produce.js'
