// The storage engine behind a small HTTP API, so it can be tried with curl until the broker's
// binary protocol lands. Not the broker: no replication, no consumer groups, JSON values only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { decodeRecordBatch, isWeirError, splitBatches } from '@weir/protocol'
import type { TopicStore } from '@weir/storage'

const requestBytesMax = 1024 * 1024
const readBytesMax = 1024 * 1024

interface RecordBody {
  key?: string | null
  value: unknown
}

export function createDemoServer(store: TopicStore): Server {
  return createServer((request, response) => {
    handle(store, request, response).catch((error: unknown) => sendError(response, error))
  })
}

async function handle(store: TopicStore, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost')
  const parts = url.pathname.split('/').filter(Boolean)
  if (request.method === 'GET' && parts.length === 0) return send(response, 200, summary(store))
  if (parts[0] === 'topics' && parts[1] !== undefined) {
    if (request.method === 'POST' && parts.length === 2) {
      const count = Number(url.searchParams.get('partitions') ?? 3)
      await store.createTopic(parts[1], count)
      return send(
        response,
        201,
        summary(store).find((topic) => topic.topic === parts[1]),
      )
    }
    if (request.method === 'POST' && parts[2] === 'records')
      return produce(store, parts[1], request, response)
    if (request.method === 'GET' && parts[2] === 'partitions' && parts[4] === 'records') {
      return consume(store, parts[1], Number(parts[3]), url, response)
    }
  }
  send(response, 404, {
    error: 'NOT_FOUND',
    message:
      'Try GET /, POST /topics/NAME?partitions=N, POST /topics/NAME/records, GET /topics/NAME/partitions/P/records?offset=O',
  })
}

function summary(store: TopicStore) {
  return store.topicNames().map((name) => {
    const topic = store.topic(name)
    const partitions = Array.from({ length: topic.partitionCount }, (_, partition) => {
      const log = topic.partition(partition)
      return {
        partition,
        logStartOffset: log.logStartOffset,
        logEndOffset: log.logEndOffset,
        sizeBytes: log.sizeBytes,
      }
    })
    return { topic: name, partitions }
  })
}

async function produce(store: TopicStore, name: string, request: IncomingMessage, response: ServerResponse) {
  const body = JSON.parse(await readBody(request)) as RecordBody | RecordBody[]
  const records = (Array.isArray(body) ? body : [body]).map((record) => ({
    key: record.key == null ? null : Buffer.from(record.key),
    value: Buffer.from(JSON.stringify(record.value)),
  }))
  send(response, 200, await store.topic(name).produce(records, Date.now()))
}

async function consume(
  store: TopicStore,
  name: string,
  partition: number,
  url: URL,
  response: ServerResponse,
) {
  const offset = Number(url.searchParams.get('offset') ?? 0)
  const result = await store.topic(name).read(partition, offset, readBytesMax)
  const records = splitBatches(result.bytes).flatMap((batch) =>
    decodeRecordBatch(batch)
      .records.filter((record) => record.offset >= offset)
      .map((record) => ({
        offset: record.offset,
        timestamp: record.timestamp,
        key: record.key?.toString() ?? null,
        value: record.value ? (JSON.parse(record.value.toString()) as unknown) : null,
      })),
  )
  send(response, 200, { records, nextOffset: result.nextOffset, logEndOffset: result.logEndOffset })
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > requestBytesMax) {
        request.destroy()
        reject(new RangeError(`request body above ${requestBytesMax} bytes; send fewer records per request`))
      } else chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(`${JSON.stringify(body, null, 2)}\n`)
}

function sendError(response: ServerResponse, error: unknown): void {
  if (isWeirError(error)) {
    const status = error.code === 'UNKNOWN_TOPIC' || error.code === 'UNKNOWN_PARTITION' ? 404 : 400
    send(response, status, { error: error.code, message: error.message })
    return
  }
  const message = error instanceof Error ? error.message : String(error)
  send(response, error instanceof SyntaxError || error instanceof RangeError ? 400 : 500, {
    error: 'BAD_REQUEST',
    message,
  })
}
