// KafkaJS 2.2.4, unmodified, against the broker's Kafka listener (--kafka-listen), used the way its
// documentation recommends for throughput. Produce: producer.send of 1,000 messages per call (one
// Produce request each), 20,000 messages in flight, acks -1, no compression, the same keys and
// values as Weir's rows. Consume: one consumer in its own group, subscribe fromBeginning,
// run({ eachBatch }) at KafkaJS's default fetch sizes, no commits (Weir's consumer commits nothing
// either), timed from the first message to the last; the group join is reported apart.
import { createRequire } from 'node:module'
import { Kafka, logLevel } from 'kafkajs'
import { benchKey } from '../e2e/produce.js'
import type { Progress } from '../measurement.js'
import { type ClientRun, clientRun, stallWatch } from './client-run.js'
import { produceWindowMessages } from './weir-rows.js'

const chunkMessages = 1000
/** A consumer that receives nothing for this long fails its row (a join or fetch that never ends). */
const consumeStallMs = 60_000

export function kafkajsVersion(): string {
  const require = createRequire(import.meta.url)
  return (require('kafkajs/package.json') as { version: string }).version
}

function kafkaFor(address: string, clientId: string): Kafka {
  // Retries as KafkaJS's defaults, its logs silenced (a benchmark prints its own progress).
  return new Kafka({ clientId, brokers: [address], logLevel: logLevel.NOTHING })
}

export async function kafkajsProduce(
  address: string,
  topic: string,
  messages: number,
  valueBytes: number,
  progress: Progress,
): Promise<ClientRun> {
  const producer = kafkaFor(address, 'bench-kafkajs-producer').producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const value = Buffer.alloc(valueBytes, 0x61)
  const started = performance.now()
  try {
    const inFlight: Promise<unknown>[] = []
    for (let sent = 0; sent < messages; ) {
      const count = Math.min(chunkMessages, messages - sent)
      const batch = new Array<{ key: string; value: Buffer }>(count)
      for (let index = 0; index < count; index++) batch[index] = { key: benchKey(sent + index), value }
      inFlight.push(producer.send({ topic, acks: -1, messages: batch }))
      sent += count
      if (inFlight.length * chunkMessages >= produceWindowMessages) {
        await inFlight.shift()
        progress(sent, messages)
      }
    }
    await Promise.all(inFlight)
    progress(messages, messages)
  } finally {
    await producer.disconnect()
  }
  return clientRun(messages, valueBytes, (performance.now() - started) / 1000)
}

export async function kafkajsConsume(
  address: string,
  topic: string,
  messages: number,
  valueBytes: number,
  progress: Progress,
): Promise<ClientRun> {
  const created = performance.now()
  const consumer = kafkaFor(address, 'bench-kafkajs-consumer').consumer({ groupId: `${topic}-kafkajs` })
  let first = 0
  let received = 0
  const watch = stallWatch(() => received, consumeStallMs, `KafkaJS consumer of ${topic}`)
  try {
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    const done = new Promise<number>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error))
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (received === 0) first = performance.now()
            for (const message of batch.messages) {
              if (message.value?.length !== valueBytes)
                throw new Error(`a ${message.value?.length ?? 'null'} B value came back`)
            }
            received += batch.messages.length
            progress(received, messages)
            if (received >= messages) resolve(performance.now())
          },
        })
        .catch(reject)
    })
    const finished = await Promise.race([done, watch.stalled])
    if (received !== messages) throw new Error(`KafkaJS consumer received ${received} of ${messages}`)
    return clientRun(messages, valueBytes, (finished - first) / 1000, (first - created) / 1000)
  } finally {
    watch.stop()
    await consumer.disconnect()
  }
}
