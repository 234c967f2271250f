// KafkaJS (a Kafka client no one here wrote) against an in-process broker: a quiet client, and
// KafkaJS's own broker connection for a group-less Fetch (its consumer API needs a group, which
// this suite does not use). Also reads a partition with Weir's own client, every record field.
import { createRequire } from 'node:module'
import { decodeRecordBatch, isControlBatch, splitBatches } from '@weir/protocol'
import { Kafka, logLevel } from 'kafkajs'
import { fetchOnce } from '../support/broker.js'
import type { WireClient } from '../support/wire-client.js'

const require = createRequire(import.meta.url)
const kafkajsSource = require.resolve('kafkajs').replace(/index\.js$/, 'src')

export function kafkajs(port: number): Kafka {
  return new Kafka({
    clientId: 'weir-kafka-test',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100 },
  })
}

/** A record as both clients see it: strings for key, value and header values, the timestamp in ms. */
export interface SeenRecord {
  readonly offset: number
  readonly key: string | null
  readonly value: string | null
  readonly timestamp: number
  readonly headers: Record<string, string>
}

interface KafkaJsFetchedMessage {
  offset: string
  key: Buffer | null
  value: Buffer | null
  timestamp: string
  headers: Record<string, Buffer>
}

interface KafkaJsBroker {
  connect(): Promise<void>
  disconnect(): Promise<void>
  fetch(request: object): Promise<{
    responses: {
      topicName: string
      partitions: {
        partition: number
        errorCode: number
        highWatermark: string
        messages: KafkaJsFetchedMessage[]
      }[]
    }[]
  }>
}

/** KafkaJS's broker connection (ApiVersions, then requests at the versions it negotiated). */
export async function kafkajsBroker(port: number): Promise<KafkaJsBroker> {
  const Broker = require(`${kafkajsSource}/broker`)
  const ConnectionPool = require(`${kafkajsSource}/network/connectionPool`)
  const socketFactory = require(`${kafkajsSource}/network/socketFactory`)
  const { createLogger, LEVELS } = require(`${kafkajsSource}/loggers`)
  const logger = createLogger({ level: LEVELS.NOTHING, logCreator: () => () => {} })
  const connectionPool = new ConnectionPool({
    host: '127.0.0.1',
    port,
    logger,
    socketFactory: socketFactory(),
    requestTimeout: 30_000,
    connectionTimeout: 10_000,
    clientId: 'weir-kafka-test',
  })
  const broker: KafkaJsBroker = new Broker({ connectionPool, logger })
  await broker.connect()
  return broker
}

/** Every record of a partition from `offset` up to the high watermark, fetched by KafkaJS. */
export async function fetchWithKafkajs(
  broker: KafkaJsBroker,
  topic: string,
  partition: number,
  offset = 0,
): Promise<SeenRecord[]> {
  const seen: SeenRecord[] = []
  let next = offset
  for (let round = 0; round < 1000; round++) {
    const response = await broker.fetch({
      replicaId: -1,
      isolationLevel: 1,
      maxWaitTime: 0,
      minBytes: 0,
      maxBytes: 1024 * 1024,
      topics: [{ topic, partitions: [{ partition, fetchOffset: String(next), maxBytes: 1024 * 1024 }] }],
    })
    const answer = response.responses[0]!.partitions[0]!
    if (answer.errorCode !== 0)
      throw new Error(`KafkaJS fetch ${topic}/${partition}: error ${answer.errorCode}`)
    const fresh = answer.messages.filter((message) => Number(message.offset) >= next)
    for (const message of fresh) {
      seen.push({
        offset: Number(message.offset),
        key: message.key === null ? null : message.key.toString(),
        value: message.value === null ? null : message.value.toString(),
        timestamp: Number(message.timestamp),
        headers: Object.fromEntries(
          Object.entries(message.headers).map(([name, value]) => [name, String(value)]),
        ),
      })
    }
    if (fresh.length === 0) return seen
    next = Number(fresh[fresh.length - 1]!.offset) + 1
  }
  throw new Error('KafkaJS fetch did not reach the end in 1000 rounds')
}

/** Every record of a partition read by Weir's own protocol, waiting (long poll) until `count` are there. */
export async function readWithWeir(
  client: WireClient,
  topic: string,
  partition: number,
  count: number,
): Promise<SeenRecord[]> {
  const seen: SeenRecord[] = []
  let offset = 0
  for (let round = 0; round < 1000 && seen.length < count; round++) {
    const result = await fetchOnce(client, topic, partition, offset, { maxWaitMs: 10_000, minBytes: 1 })
    if (result.errorCode !== 0) throw new Error(`Weir fetch ${topic}/${partition}: ${result.errorMessage}`)
    for (const bytes of splitBatches(result.records)) {
      const batch = decodeRecordBatch(bytes)
      // Raft's own entries (leader no-ops, membership) are control batches, not records.
      for (const record of isControlBatch(bytes) ? [] : batch.records) {
        if (record.offset < offset) continue
        seen.push({
          offset: record.offset,
          key: record.key === null ? null : record.key.toString(),
          value: record.value === null ? null : record.value.toString(),
          timestamp: record.timestamp,
          headers: Object.fromEntries(
            record.headers.map(({ key, value }) => [
              key,
              value === null ? '' : Buffer.from(value).toString(),
            ]),
          ),
        })
      }
      offset = batch.header.baseOffset + batch.header.lastOffsetDelta + 1
    }
  }
  return seen
}
