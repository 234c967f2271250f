// Consume throughput through TCP: a topic is filled first (not timed), then one consumer reads all
// of it from the beginning through the async iterator, as an application would.
import { Client, type ClientOptions, codecs, defineTopic } from '@weir/client'
import { megabyteBytes, type Progress, secondsSince } from '../measurement.js'
import { benchTopicName, createBenchTopic, produceMessages } from './produce.js'

export interface ConsumeSpec {
  readonly messages: number
  readonly valueBytes: number
  readonly partitions: number
}

export interface ConsumeMeasurement {
  readonly messages: number
  readonly bytes: number
  readonly seconds: number
  readonly messagesPerSecond: number
  readonly megabytesPerSecond: number
}

export async function measureConsume(
  brokers: string,
  spec: ConsumeSpec,
  progress?: Progress,
  /** TLS and SASL, for a broker that asks for them (the security benchmark). */
  security: Pick<ClientOptions, 'tls' | 'sasl'> = {},
): Promise<ConsumeMeasurement> {
  const client = new Client({ brokers: [brokers], clientId: 'bench-consume', ...security })
  try {
    const name = benchTopicName('consume')
    await createBenchTopic(client, name, spec.partitions)
    await produceMessages(client, name, { ...spec, acks: 'leader', windowMessages: 20_000 })
    const topic = defineTopic<Buffer>({ name, codec: codecs.raw })
    const consumer = client.consumer({ topics: [topic], fromBeginning: true })
    const started = performance.now()
    let received = 0
    let bytes = 0
    const progressEvery = Math.max(1, Math.floor(spec.messages / 20))
    try {
      for await (const message of consumer) {
        bytes += message.value.length
        if (++received % progressEvery === 0) progress?.(received, spec.messages)
        if (received === spec.messages) break
      }
    } finally {
      await consumer.close()
    }
    const seconds = secondsSince(started)
    if (received !== spec.messages)
      throw new Error(`consumer stopped after ${received} of ${spec.messages} messages`)
    return {
      messages: received,
      bytes,
      seconds,
      messagesPerSecond: received / seconds,
      megabytesPerSecond: bytes / megabyteBytes / seconds,
    }
  } finally {
    await client.close()
  }
}
