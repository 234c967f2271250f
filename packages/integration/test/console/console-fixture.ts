// What the console tests share: a real in-process broker holding a topic with known messages (a
// msgpack value with key and header, a JSON value, markup as text, at known times) and a consumer
// group that read part of it and committed, so its lag is known.
import { Client, type GroupConsumer } from '@weir/client'
import { type RunningBroker, removeDataDirectories, startBroker } from '../client/helpers.js'

export const topic = 'orders'
export const groupId = 'billing'
/** The records' timestamps: one a second from here. */
export const firstTimestampMs = Date.UTC(2026, 0, 1)
export const markup = '<img src=x onerror="window.__injected=1">'

export const records: readonly {
  readonly key: string
  readonly value: { readonly id: number; readonly item: string }
  readonly headers: Record<string, string>
}[] = [
  { key: 'order-1', value: { id: 1, item: 'tea' }, headers: { source: 'web' } },
  { key: 'order-2', value: { id: 2, item: 'cake' }, headers: {} },
  { key: 'order-3', value: { id: 3, item: 'jam' }, headers: {} },
]

export interface ConsoleFixture {
  readonly running: RunningBroker
  readonly client: Client
  readonly group: GroupConsumer<unknown>
  /** Messages in the topic: the records, then a JSON value and the markup as raw bytes. */
  readonly messageCount: number
  close(): Promise<void>
}

export async function startFixture(): Promise<ConsoleFixture> {
  const running = await startBroker()
  const client = new Client({ brokers: [running.address], clientId: 'console-test' })
  await client.admin().createTopic({ topic, partitions: 1 })
  const producer = client.producer()
  for (const [index, record] of records.entries())
    await producer.send({ topic, ...record, partition: 0, timestamp: firstTimestampMs + index * 1000 })
  await producer.send({
    topic: {
      name: topic,
      codec: { name: 'bytes', encode: (value: Buffer) => value, decode: (bytes) => bytes },
    },
    value: Buffer.from('{"kind":"json"}'),
    partition: 0,
    timestamp: firstTimestampMs + 3000,
  })
  await producer.send({
    topic: {
      name: topic,
      codec: { name: 'bytes', encode: (value: Buffer) => value, decode: (bytes) => bytes },
    },
    key: 'markup',
    value: Buffer.from(markup),
    partition: 0,
    timestamp: firstTimestampMs + 4000,
  })
  await producer.close()
  const messageCount = records.length + 2
  // A member that took two messages and committed: the first is finished (committed offset 1),
  // the second is still being handled, so the lag is messageCount - 1.
  const group = client.consumer({ topics: [topic], groupId, autoOffsetReset: 'earliest', autoCommit: false })
  let taken = 0
  for await (const _message of group) if (++taken === 2) break
  await group.commit()
  return {
    running,
    client,
    group,
    messageCount,
    async close() {
      await group.close()
      await client.close()
      await running.broker.close()
      removeDataDirectories()
    },
  }
}
