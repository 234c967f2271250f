// Produce throughput through TCP: one producer with the client's batching, many sends in flight,
// as an application that does not wait for each acknowledgement before the next send.
import { Client, type ClientOptions, codecs, defineTopic } from '@weir/client'
import { megabyteBytes, type Progress, secondsSince } from '../measurement.js'

export interface ProduceSpec {
  readonly messages: number
  readonly valueBytes: number
  readonly partitions: number
  readonly acks: 'leader' | 'all'
  /** Sends awaited together: bounds the promises alive at once, not the producer's own buffer. */
  readonly windowMessages: number
}

export interface ProduceMeasurement {
  readonly messages: number
  readonly bytes: number
  readonly seconds: number
  readonly messagesPerSecond: number
  readonly megabytesPerSecond: number
}

let topicCounter = 0
const chunkMessages = 1000
const keys = Array.from({ length: 10_007 }, (_, index) => `key-${index}`)

/** A fresh topic per run so runs never read each other's data. */
export function benchTopicName(kind: string): string {
  return `bench-${kind}-${process.pid}-${++topicCounter}`
}

export async function createBenchTopic(client: Client, name: string, partitions: number): Promise<void> {
  await client.admin().createTopic({ topic: name, partitions, replicationFactor: 1 })
}

/** Keys spread messages evenly over partitions, as many customers or devices would. */
export function benchKey(index: number): string {
  return keys[index % keys.length]!
}

export async function produceMessages(
  client: Client,
  topicName: string,
  spec: ProduceSpec,
  progress?: Progress,
): Promise<ProduceMeasurement> {
  const topic = defineTopic<Buffer>({ name: topicName, codec: codecs.raw })
  const producer = client.producer({ acks: spec.acks, lingerMs: 2 })
  const value = Buffer.alloc(spec.valueBytes, 0x61)
  const started = performance.now()
  try {
    // sendBatch calls of `chunkMessages` each, up to windowMessages in flight: the producer's
    // batching at its best, as an ioredis pipeline or a JetStream async-publish window would be.
    const inFlight: Promise<unknown>[] = []
    for (let sent = 0; sent < spec.messages; ) {
      const count = Math.min(chunkMessages, spec.messages - sent)
      const messages = new Array<{ key: string; value: Buffer }>(count)
      for (let index = 0; index < count; index++) messages[index] = { key: benchKey(sent + index), value }
      inFlight.push(producer.sendBatch({ topic, messages }))
      sent += count
      if (inFlight.length * chunkMessages >= spec.windowMessages) {
        await inFlight.shift()
        progress?.(sent, spec.messages)
      }
    }
    await Promise.all(inFlight)
    await producer.flush()
    progress?.(spec.messages, spec.messages)
  } finally {
    await producer.close()
  }
  const seconds = secondsSince(started)
  const bytes = spec.messages * spec.valueBytes
  return {
    messages: spec.messages,
    bytes,
    seconds,
    messagesPerSecond: spec.messages / seconds,
    megabytesPerSecond: bytes / megabyteBytes / seconds,
  }
}

export async function measureProduce(
  brokers: string,
  spec: ProduceSpec,
  progress?: Progress,
  /** TLS and SASL, for a broker that asks for them (the security benchmark). */
  security: Pick<ClientOptions, 'tls' | 'sasl'> = {},
): Promise<ProduceMeasurement> {
  const client = new Client({ brokers: [brokers], clientId: 'bench-produce', ...security })
  try {
    const name = benchTopicName('produce')
    await createBenchTopic(client, name, spec.partitions)
    return await produceMessages(client, name, spec, progress)
  } finally {
    await client.close()
  }
}
