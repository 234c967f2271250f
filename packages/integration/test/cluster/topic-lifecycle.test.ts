// Proves topic changes go through the controller with real processes: CreatePartitions and
// DeleteTopics from any broker, and a topic deleted and created again while a broker was down:
// that broker drops the old topic's logs when it comes back and ends with the new topic's bytes.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { codecs, defineTopic, isWeirError } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readValues, useCluster, waitFor } from './cluster-support.js'

const topic = defineTopic<string>({ name: 'ledger', codec: codecs.string })
const env = useCluster(test, 'lifecycle-test')

function logBytes(dataDir: string, partition: number): Buffer {
  const directory = join(dataDir, topic.name, String(partition))
  const names = readdirSync(directory)
    .filter((name) => name.endsWith('.log'))
    .sort()
  return Buffer.concat(names.map((name) => readFileSync(join(directory, name))))
}

test('add partitions, delete, and create again while a broker is down', async () => {
  const admin = env.client.admin()
  await waitFor('topic created', 15_000, async () => {
    await admin.createTopic({ topic: topic.name, partitions: 1, replicationFactor: 3 })
    return true
  })
  await admin.createPartitions({ topic: topic.name, count: 2 })
  const described = await admin.describeTopic(topic.name)
  assert.is(described.partitions.length, 2)
  const producer = env.client.producer({ acks: 'all' })
  await Promise.all(
    Array.from({ length: 50 }, (_, index) => producer.send({ topic, partition: 0, value: `old-${index}` })),
  )

  await env.cluster.kill(3)
  await admin.deleteTopic(topic.name)
  const gone = await admin.describeTopic(topic.name).then(
    () => undefined,
    (error: unknown) => error,
  )
  assert.ok(isWeirError(gone, 'UNKNOWN_TOPIC'), `deleted: ${String(gone)}`)
  await admin.createTopic({ topic: topic.name, partitions: 1, replicationFactor: 3 })
  await waitFor('the new topic takes writes', 15_000, async () => {
    await producer.send({ topic, partition: 0, value: 'new-0' })
    return true
  })
  await producer.send({ topic, partition: 0, value: 'new-1' })
  await producer.close()

  await env.cluster.restart(3)
  assert.equal(await readValues(env.client, topic, 2), ['new-0', 'new-1'])
  await waitFor('broker 3 holds the new topic, byte for byte', 20_000, async () => {
    const [first, ...rest] = env.cluster.brokers.map((broker) => logBytes(broker.dataDir, 0))
    return rest.every((bytes) => bytes.equals(first!)) ? true : undefined
  })
  assert.ok(
    !logBytes(env.cluster.brokers[2]!.dataDir, 0).includes(Buffer.from('old-0')),
    'the old records are gone',
  )
})

test.run()
