// Proves the majority rule with real processes: with one of three brokers stopped, produce and
// consume go on; with two stopped, an acks-all produce fails with a retriable error once its
// delivery timeout passes, and once the brokers are back nothing that was acknowledged is missing.
import { codecs, defineTopic, isWeirError } from '@weir/client'
import { withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readValues, useCluster } from './cluster-support.js'

const topic = defineTopic<string>({ name: 'payments', codec: codecs.string })
const env = useCluster(test, 'minority-test', {
  name: topic.name,
  partitions: 3,
  replicationFactor: 3,
})

test('one broker down: produce and consume continue; two down: acks-all fails retriably and nothing acknowledged is lost', async () => {
  const acknowledged: string[] = []
  const producer = env.client.producer({ acks: 'all', deliveryTimeoutMs: 20_000 })
  await Promise.all(
    Array.from({ length: 300 }, (_, index) =>
      producer
        .send({ topic, key: `k${index % 7}`, value: `a-${index}` })
        .then(() => acknowledged.push(`a-${index}`)),
    ),
  )
  await env.cluster.kill(3)
  await Promise.all(
    Array.from({ length: 300 }, (_, index) =>
      producer
        .send({ topic, key: `k${index % 7}`, value: `b-${index}` })
        .then(() => acknowledged.push(`b-${index}`)),
    ),
  )
  assert.is(acknowledged.length, 600, `with one broker down every send succeeds\n${env.cluster.logs()}`)
  assert.equal(new Set(await readValues(env.client, topic, 600)), new Set(acknowledged))
  await producer.close()

  await env.cluster.kill(2)
  const doomed = env.client.producer({ acks: 'all', deliveryTimeoutMs: 3000, ackTimeoutMs: 1000 })
  const startedAt = Date.now()
  const failure = await doomed.send({ topic, key: 'k1', value: 'c-0' }).then(
    () => undefined,
    (error: unknown) => error,
  )
  assert.ok(failure !== undefined, 'a send with only one of three brokers up must not be acknowledged')
  assert.ok(isWeirError(failure) && failure.retriable, `a retriable error, got ${String(failure)}`)
  assert.ok(Date.now() - startedAt >= 2500, 'it failed only after its delivery timeout')
  await doomed.close().catch(() => {})

  await env.cluster.restart(2)
  await env.cluster.restart(3)
  // Leaders are being elected again: read until everything acknowledged is there or 30 s pass.
  // The refused 'c-0' may be there too: a write that timed out may still commit later (Raft
  // promises nothing about it either way), so the read stops on the acknowledged set, not a count.
  const missing = new Set(acknowledged)
  const consumer = env.client.consumer({ topics: [topic], fromBeginning: true })
  const extra: string[] = []
  const reading = (async () => {
    for await (const message of consumer) {
      if (!missing.delete(message.value)) extra.push(message.value)
      if (missing.size === 0) return
    }
  })()
  try {
    await withTimeout(
      reading,
      30_000,
      () => `every acknowledged value after the restarts (${missing.size} missing)\n${env.cluster.logs()}`,
    )
  } finally {
    await consumer.close()
  }
  assert.equal([...missing], [], `acknowledged, then missing\n${env.cluster.logs()}`)
  assert.ok(
    extra.every((value) => value === 'c-0'),
    `read more than was sent: ${extra.join(', ')}`,
  )
})

test.run()
