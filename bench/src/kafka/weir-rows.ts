// Weir's own client on the native listener, the reference the KafkaJS rows are compared with:
// produce exactly as the comparison does (e2e/produce.ts: sendBatch of 1,000, 20,000 in flight,
// lingerMs 2, acks all), consume with one group-less consumer from the beginning (async iteration,
// values as Buffers), timed from its first message to the last.
import { type Client, codecs, defineTopic } from '@weir/client'
import { produceMessages } from '../e2e/produce.js'
import type { Progress } from '../measurement.js'
import { type ClientRun, clientRun } from './client-run.js'

export const produceWindowMessages = 20_000

export async function weirProduce(
  client: Client,
  topic: string,
  messages: number,
  valueBytes: number,
  progress: Progress,
): Promise<ClientRun> {
  const measured = await produceMessages(
    client,
    topic,
    { messages, valueBytes, partitions: 1, acks: 'all', windowMessages: produceWindowMessages },
    progress,
  )
  return clientRun(messages, valueBytes, measured.seconds)
}

export async function weirConsume(
  client: Client,
  topicName: string,
  messages: number,
  valueBytes: number,
  progress: Progress,
): Promise<ClientRun> {
  const topic = defineTopic<Buffer>({ name: topicName, codec: codecs.raw })
  const created = performance.now()
  const consumer = client.consumer({ topics: [topic], fromBeginning: true })
  let first = 0
  let finished = 0
  let received = 0
  try {
    for await (const message of consumer) {
      if (received === 0) first = performance.now()
      if (message.value.length !== valueBytes) throw new Error(`a ${message.value.length} B value came back`)
      if (++received % 10_000 === 0) progress(received, messages)
      if (received === messages) break
    }
    // The clock stops at the last message: close() may wait for a long poll still in flight.
    finished = performance.now()
  } finally {
    await consumer.close()
  }
  if (received !== messages) throw new Error(`Weir consumer stopped at ${received} of ${messages}`)
  return clientRun(messages, valueBytes, (finished - first) / 1000, (first - created) / 1000)
}
