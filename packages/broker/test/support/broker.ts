// Shared test helpers: temp data directories, an in-process broker on port 0, and the handful of
// requests every test makes (create a topic, produce a batch, fetch everything back).
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import {
  Acks,
  CreateTopics,
  decodeRecordBatch,
  encodeRecordBatch,
  Fetch,
  type FetchResponse,
  Produce,
  type ProduceResponse,
  type RecordInput,
  splitBatches,
  type TopicConfig,
} from '@weir/protocol'
import pino from 'pino'
import { Broker, type BrokerOptions } from '../../src/index.js'
import { WireClient } from './wire-client.js'

const created: string[] = []

/** A port free a moment ago on 127.0.0.1 (for peer lists, which need fixed ports up front). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

export function tempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'weir-broker-'))
  created.push(directory)
  return directory
}

export function removeTempDirectories(): void {
  for (const directory of created.splice(0)) rmSync(directory, { recursive: true, force: true })
}

/** A pino logger that keeps its JSON lines in memory, for tests that check what was logged. */
export function memoryLogger(level = 'debug'): {
  logger: pino.Logger
  lines: () => Record<string, unknown>[]
} {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line))
      callback()
    },
  })
  return { logger: pino({ level }, stream), lines: () => lines }
}

export async function startBroker(options: Partial<BrokerOptions> = {}): Promise<Broker> {
  return Broker.start({ dataDir: tempDirectory(), listen: '127.0.0.1:0', logLevel: 'silent', ...options })
}

export async function createTopic(
  client: WireClient,
  name: string,
  partitions: number,
  config: TopicConfig = {},
): Promise<void> {
  const response = await client.call(CreateTopics, {
    topics: [{ name, partitions, replicationFactor: 1, config }],
  })
  const result = response.topics[0]!
  if (result.errorCode !== 0) throw new Error(`create ${name}: ${result.errorCode} ${result.errorMessage}`)
}

export function batchOf(records: readonly RecordInput[], timestamp = Date.now()): Buffer {
  return encodeRecordBatch(records, { timestamp })
}

export function recordsFor(label: string, count: number, key?: string): RecordInput[] {
  return Array.from({ length: count }, (_, index) => ({
    key: key === undefined ? null : Buffer.from(key),
    value: Buffer.from(`${label}-${index}`),
  }))
}

export async function produce(
  client: WireClient,
  topic: string,
  partition: number,
  records: Buffer,
  acks: -1 | 1 = Acks.all,
): Promise<ProduceResponse['topics'][number]['partitions'][number]> {
  const response = await client.call(Produce, {
    acks,
    timeoutMs: 10_000,
    topics: [{ name: topic, partitions: [{ partition, records }] }],
  })
  return response.topics[0]!.partitions[0]!
}

export async function fetchOnce(
  client: WireClient,
  topic: string,
  partition: number,
  fetchOffset: number,
  options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number } = {},
): Promise<FetchResponse['topics'][number]['partitions'][number]> {
  const response = await client.call(Fetch, {
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 0,
    maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
    topics: [
      {
        name: topic,
        partitions: [{ partition, fetchOffset, maxBytes: options.maxBytes ?? 64 * 1024 * 1024 }],
      },
    ],
  })
  return response.topics[0]!.partitions[0]!
}

export interface ReadRecord {
  readonly offset: number
  readonly key: string | null
  readonly value: string
}

/** Fetches a partition from `from` up to its high watermark and decodes every record at or after `from`. */
export async function readAll(
  client: WireClient,
  topic: string,
  partition: number,
  from = 0,
): Promise<ReadRecord[]> {
  const records: ReadRecord[] = []
  let offset = from
  for (;;) {
    const result = await fetchOnce(client, topic, partition, offset, { maxBytes: 1024 * 1024 })
    if (result.errorCode !== 0)
      throw new Error(`fetch ${topic}/${partition}@${offset}: ${result.errorMessage}`)
    if (result.records.length === 0) return records
    for (const bytes of splitBatches(result.records)) {
      const batch = decodeRecordBatch(bytes)
      for (const record of batch.records) {
        if (record.offset < offset) continue
        records.push({
          offset: record.offset,
          key: record.key === null ? null : record.key.toString('utf8'),
          value: record.value === null ? '' : record.value.toString('utf8'),
        })
      }
      offset = batch.header.baseOffset + batch.header.lastOffsetDelta + 1
    }
  }
}

/** A healthy round trip on a fresh connection: create (once), produce, fetch back the same record. */
export async function assertHealthy(port: number, label: string): Promise<void> {
  const client = await WireClient.connect(port)
  try {
    const topic = 'health'
    const created = await client.call(CreateTopics, {
      topics: [{ name: topic, partitions: 1, replicationFactor: 1, config: {} }],
    })
    const code = created.topics[0]!.errorCode
    if (code !== 0 && code !== 11) throw new Error(`health topic: ${created.topics[0]!.errorMessage}`)
    const result = await produce(client, topic, 0, batchOf([{ key: null, value: Buffer.from(label) }]))
    if (result.errorCode !== 0) throw new Error(`health produce after ${label}: ${result.errorMessage}`)
    const records = await readAll(client, topic, 0, result.baseOffset)
    if (records[0]?.value !== label)
      throw new Error(`health fetch after ${label}: got ${JSON.stringify(records)}`)
  } finally {
    await client.close()
  }
}
