// Proves the majority rule with real processes: with one of three brokers stopped, produce and
// consume go on; with two stopped, an acks-all produce fails with a retriable error once its
// delivery timeout passes, and once the brokers are back nothing that was acknowledged is missing.
import { Client, codecs, defineTopic, isWeirError } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startCluster, type TestCluster, waitFor } from './cluster-support.js'

const topic = defineTopic<string>({ name: 'payments', codec: codecs.string })
let cluster: TestCluster
let client: Client

test.before(async () => {
  cluster = await startCluster(3)
  client = new Client({ brokers: cluster.bootstrap, clientId: 'minority-test', metadataMaxAgeMs: 1000 })
  await waitFor('topic created', 15_000, async () => {
    await client.admin().createTopic({ topic: topic.name, partitions: 3, replicationFactor: 3 })
    return true
  })
})

test.after(async () => {
  await client?.close()
  await cluster?.close()
})

async function readAll(count: number): Promise<string[]> {
  const consumer = client.consumer({ topics: [topic], fromBeginning: true })
  const values: string[] = []
  const timer = setTimeout(() => void consumer.close(), 20_000)
  for await (const message of consumer) {
    values.push(message.value)
    if (values.length === count) break
  }
  clearTimeout(timer)
  await consumer.close()
  return values
}

test('one broker down: produce and consume continue; two down: acks-all fails retriably and nothing acknowledged is lost', async () => {
  const acknowledged: string[] = []
  const producer = client.producer({ acks: 'all', deliveryTimeoutMs: 20_000 })
  await Promise.all(
    Array.from({ length: 300 }, (_, index) =>
      producer
        .send({ topic, key: `k${index % 7}`, value: `a-${index}` })
        .then(() => acknowledged.push(`a-${index}`)),
    ),
  )
  await cluster.kill(3)
  await Promise.all(
    Array.from({ length: 300 }, (_, index) =>
      producer
        .send({ topic, key: `k${index % 7}`, value: `b-${index}` })
        .then(() => acknowledged.push(`b-${index}`)),
    ),
  )
  assert.is(acknowledged.length, 600, `with one broker down every send succeeds\n${cluster.logs()}`)
  assert.equal(new Set(await readAll(600)), new Set(acknowledged))
  await producer.close()

  await cluster.kill(2)
  const doomed = client.producer({ acks: 'all', deliveryTimeoutMs: 3000, ackTimeoutMs: 1000 })
  const startedAt = Date.now()
  const failure = await doomed.send({ topic, key: 'k1', value: 'c-0' }).then(
    () => undefined,
    (error: unknown) => error,
  )
  assert.ok(failure !== undefined, 'a send with only one of three brokers up must not be acknowledged')
  assert.ok(isWeirError(failure) && failure.retriable, `a retriable error, got ${String(failure)}`)
  assert.ok(Date.now() - startedAt >= 2500, 'it failed only after its delivery timeout')
  await doomed.close().catch(() => {})

  await cluster.restart(2)
  await cluster.restart(3)
  const values = await readAll(acknowledged.length)
  for (const value of acknowledged) assert.ok(values.includes(value), `${value} was acknowledged, then lost`)
})

test.run()
