// The KafkaJS quick start (producer, consumer with eachMessage, pause/resume, seek, admin create
// topic) ported to Weir by renaming: each step shows the KafkaJS line it replaces. The name map is
// in README.md beside it. Run a broker (`pnpm start`), then `pnpm --filter @weir/examples from-kafkajs`.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Client, codecs, defineTopic, isWeirError } from '@weir/client'

// const kafka = new Kafka({ clientId: 'my-app', brokers: ['kafka1:9092'] })
const brokers = (process.env.WEIR_BROKERS ?? process.env.WEIR_BOOTSTRAP ?? '127.0.0.1:7171').split(',')

// KafkaJS values are bytes you turn into text yourself; a string codec does that for every message.
const topic = defineTopic<string>({ name: 'test-topic', codec: codecs.string })

/** Runs the quick start; resolves with the values eachMessage saw, in order, once it is done. */
export async function quickStart(
  client: Client,
  log: (line: string) => void = console.log,
): Promise<string[]> {
  // const admin = kafka.admin(); await admin.connect()
  // await admin.createTopics({ topics: [{ topic: 'test-topic' }] })
  const admin = client.admin()
  try {
    await admin.createTopic({ topic: topic.name, partitions: 1 })
  } catch (error) {
    if (!isWeirError(error, 'TOPIC_ALREADY_EXISTS')) throw error
  }

  // const producer = kafka.producer(); await producer.connect()
  // await producer.send({ topic: 'test-topic', messages: [{ value: 'Hello KafkaJS user!' }, ...] })
  // await producer.disconnect()
  const producer = client.producer()
  await producer.sendBatch({
    topic,
    messages: ['Hello KafkaJS user!', 'second', 'third', 'fourth', 'fifth'].map((value) => ({ value })),
  })
  await producer.close()

  // const consumer = kafka.consumer({ groupId: 'test-group' }); await consumer.connect()
  // await consumer.subscribe({ topic: 'test-topic', fromBeginning: true })
  const consumer = client.consumer({ groupId: 'test-group', topics: [topic], autoOffsetReset: 'earliest' })

  const seen: string[] = []
  let paused = false
  let sought = false
  let finish: () => void = () => {}
  const done = new Promise<void>((resolve) => {
    finish = resolve
  })
  // await consumer.run({ eachMessage: async ({ topic, partition, message }) => { ... } })
  const running = consumer.run({
    eachMessage: async ({ partition, message }) => {
      log(`${partition}/${message.offset}: ${message.value}`) // KafkaJS: message.value.toString()
      seen.push(message.value)
      if (message.offset === 1 && !paused) {
        // KafkaJS's pause example: back off for a while, then go on where it stopped.
        paused = true
        consumer.pause([{ topic: topic.name }])
        setTimeout(() => consumer.resume([{ topic: topic.name }]), 100)
      }
      if (message.offset === 3 && !sought) {
        // consumer.seek({ topic: 'test-topic', partition: 0, offset: '0' }): offsets are numbers here.
        sought = true
        consumer.seek({ topic: topic.name, partition, offset: 0 })
      }
      if (seen.length === 9) finish()
    },
  })
  await done
  // await consumer.disconnect()
  await consumer.close()
  await running
  return seen
}

function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(resolve(process.argv[1])).href
}

// No top-level await: test runners load this file as CommonJS.
async function main(): Promise<void> {
  const client = new Client({ clientId: 'my-app', brokers })
  try {
    await quickStart(client)
  } finally {
    await client.close()
  }
}

if (isMain(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  })
}
