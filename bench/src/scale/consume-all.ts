// Reads a topic from its start until `messages` values arrived, through the client's async
// iterator as an application would: the consume half of every scale row.
import { type Client, codecs, defineTopic } from '@weir/client'
import { megabyteBytes, type Progress, secondsSince } from '../measurement.js'

export interface ConsumeFigures {
  readonly messages: number
  readonly bytes: number
  readonly seconds: number
  readonly messagesPerSecond: number
  readonly megabytesPerSecond: number
}

export async function consumeAll(
  client: Client,
  topicName: string,
  messages: number,
  progress?: Progress,
): Promise<ConsumeFigures> {
  const topic = defineTopic<Buffer>({ name: topicName, codec: codecs.raw })
  const consumer = client.consumer({ topics: [topic], fromBeginning: true })
  const started = performance.now()
  let received = 0
  let bytes = 0
  const progressEvery = Math.max(1, Math.floor(messages / 20))
  try {
    for await (const message of consumer) {
      bytes += message.value.length
      if (++received % progressEvery === 0) progress?.(received, messages)
      if (received === messages) break
    }
  } finally {
    await consumer.close()
  }
  const seconds = secondsSince(started)
  if (received !== messages) throw new Error(`consumer stopped after ${received} of ${messages} messages`)
  return {
    messages: received,
    bytes,
    seconds,
    messagesPerSecond: received / seconds,
    megabytesPerSecond: bytes / megabyteBytes / seconds,
  }
}
