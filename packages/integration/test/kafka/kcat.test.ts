// kcat (librdkafka) against a real `weir broker --kafka-listen`: 10,000 keyed messages in with
// `kcat -P`, read back identical and in per-partition order with `kcat -C -e`; `kcat -L` lists the
// broker, the topic, its partitions and their leaders. Skipped (not passed) without kcat.
import * as assert from 'node:assert/strict'
import { test } from 'uvu'
import {
  type KafkaBroker,
  kcat,
  kcatAvailable,
  kcatPath,
  startKafkaBroker,
  weirClient,
} from './kafka-support.js'

const topic = 'kcat-keyed'
const partitions = 3
const count = 10_000

// Keys repeat (one key per 250 messages) so per-key order is exercised; values vary in length and
// hold characters a line-based tool could mangle (tabs are kept out: they separate kcat's fields).
const keyFor = (index: number) => `key-${index % 40}`
const valueFor = (index: number) => `value ${index} ${'é✓'.repeat(index % 7)}${'x'.repeat(index % 50)}`

async function run(broker: KafkaBroker): Promise<void> {
  const client = weirClient([broker.bootstrap])
  try {
    await client.admin().createTopic({ topic, partitions })
  } finally {
    await client.close()
  }

  const lines = Array.from({ length: count }, (_, index) => `${keyFor(index)}:${valueFor(index)}\n`)
  await kcat(broker.kafka, ['-P', '-t', topic, '-K:'], lines.join(''), 120_000)

  const { stdout } = await kcat(
    broker.kafka,
    ['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p\t%o\t%k\t%s\n'],
    '',
    120_000,
  )
  const read = stdout.split('\n').filter((line) => line !== '')
  assert.equal(read.length, count, `kcat -C read ${read.length} of ${count} messages`)

  // Every message once, with its key; on each partition in the order kcat -P sent them, and every
  // key on one partition only (librdkafka hashes keys).
  const seen = new Set<number>()
  const lastIndexOf = new Map<number, number>()
  const lastOffsetOf = new Map<number, number>()
  const partitionOfKey = new Map<string, number>()
  for (const line of read) {
    const [partitionText, offsetText, key, value] = line.split('\t') as [string, string, string, string]
    const partition = Number(partitionText)
    const offset = Number(offsetText)
    const index = Number(/^value (\d+) /.exec(value)?.[1] ?? Number.NaN)
    assert.ok(Number.isInteger(index), `an unexpected value: ${JSON.stringify(value)}`)
    assert.equal(value, valueFor(index), `the value of message ${index}`)
    assert.equal(key, keyFor(index), `the key of message ${index}`)
    assert.ok(!seen.has(index), `message ${index} read twice`)
    seen.add(index)
    assert.ok(partition >= 0 && partition < partitions, `partition ${partition}`)
    assert.ok(
      (lastIndexOf.get(partition) ?? -1) < index,
      `partition ${partition}: message ${index} after message ${lastIndexOf.get(partition)}`,
    )
    assert.ok((lastOffsetOf.get(partition) ?? -1) < offset, `partition ${partition}: offsets go up`)
    lastIndexOf.set(partition, index)
    lastOffsetOf.set(partition, offset)
    assert.equal(partitionOfKey.get(key) ?? partition, partition, `key ${key} on two partitions`)
    partitionOfKey.set(key, partition)
  }
  assert.equal(seen.size, count)
  assert.ok(lastIndexOf.size > 1, 'the keys spread over more than one partition')

  // -L as JSON (-J), so the assertions read fields instead of kcat's prose.
  const listed = JSON.parse((await kcat(broker.kafka, ['-L', '-J'])).stdout) as KcatMetadata
  const [host, port] = broker.kafka.split(':') as [string, string]
  assert.equal(listed.brokers.length, 1, `one broker: ${JSON.stringify(listed.brokers)}`)
  const only = listed.brokers[0]!
  assert.equal(only.name, `${host}:${port}`, 'the broker is listed at its Kafka listener')
  const listedTopic = listed.topics.find((entry) => entry.topic === topic)
  assert.ok(listedTopic, `kcat -L lists ${topic}: ${JSON.stringify(listed.topics.map((t) => t.topic))}`)
  assert.deepEqual(
    listedTopic.partitions.map((entry) => entry.partition).sort(),
    Array.from({ length: partitions }, (_, index) => index),
  )
  for (const entry of listedTopic.partitions) {
    assert.equal(entry.leader, only.id, `partition ${entry.partition}'s leader`)
    assert.deepEqual(
      entry.replicas.map((replica) => replica.id),
      [only.id],
    )
  }
}

interface KcatMetadata {
  brokers: { id: number; name: string }[]
  topics: { topic: string; partitions: { partition: number; leader: number; replicas: { id: number }[] }[] }[]
}

const title = 'kcat -P 10,000 keyed messages, kcat -C -e reads them back identical, kcat -L lists the broker'
if (kcatAvailable) {
  test(title, async () => {
    const broker = await startKafkaBroker()
    try {
      await run(broker)
    } finally {
      await broker.close()
    }
  })
} else {
  console.log(`skipped: no kcat at ${kcatPath} (apt-get install kcat, or set WEIR_KCAT)`)
  test.skip(title, () => {})
}

test.run()
