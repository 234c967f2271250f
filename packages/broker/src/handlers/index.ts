// The dispatch table: API key → handler. A new API is a new file here plus one line below.
import { apiVersionsHandler } from './api-versions.js'
import { createTopicsHandler } from './create-topics.js'
import { deleteTopicsHandler } from './delete-topics.js'
import { fetchHandler } from './fetch.js'
import type { Handler } from './handler.js'
import { listOffsetsHandler } from './list-offsets.js'
import { metadataHandler } from './metadata.js'
import { produceHandler } from './produce.js'

const handlers = [
  apiVersionsHandler,
  metadataHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
] as unknown as Handler<unknown, unknown>[]

const byKey = new Map(handlers.map((handler) => [handler.api.apiKey, handler]))

export function handlerFor(apiKey: number): Handler<unknown, unknown> | undefined {
  return byKey.get(apiKey)
}

export type { Handler, HandlerContext } from './handler.js'
