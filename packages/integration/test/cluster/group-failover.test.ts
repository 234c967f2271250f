// Proves a consumer group keeps consuming through failovers with real processes: the broker that
// coordinates the group (leader of its __consumer_offsets partition, and of some data partitions)
// is killed with SIGKILL; the group finds the new coordinator and every produced message is still
// delivered (at least once).
import { codecs, defineTopic } from '@weir/client'
import { withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { coordinatorOf, useCluster, waitFor } from './cluster-support.js'

const topic = defineTopic<string>({ name: 'events', codec: codecs.string })
const groupId = 'failover-group'
const env = useCluster(test, 'group-failover-test', {
  name: topic.name,
  partitions: 3,
  replicationFactor: 3,
})

test('a group consumer keeps consuming when its coordinator and partition leaders are killed', async () => {
  const producer = env.client.producer({ acks: 'all' })
  const seen = new Set<string>()
  const consumer = env.client.consumer({ groupId, topics: [topic], autoOffsetReset: 'earliest' })
  let consumeError: unknown
  const consuming = (async () => {
    for await (const message of consumer) seen.add(message.value)
  })().catch((error: unknown) => {
    consumeError = error
  })
  const send = (from: number, count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, index) =>
        producer.send({ topic, key: `k${(from + index) % 11}`, value: `m-${from + index}` }),
      ),
    )
  await send(0, 300)
  await waitFor('the first 300 consumed', 20_000, async () => (seen.size >= 300 ? true : undefined)).catch(
    (error: Error) => {
      throw new Error(`${error.message}: ${seen.size} seen, consumer error ${String(consumeError)}`)
    },
  )
  const coordinator = await coordinatorOf(env.client, groupId)
  await env.cluster.kill(coordinator)
  await send(300, 300)
  await waitFor('all 600 consumed after the failover', 30_000, async () =>
    seen.size >= 600 ? true : undefined,
  ).catch((error: Error) => {
    throw new Error(
      `${error.message}: ${seen.size} seen, consumer error ${String(consumeError)}\n${env.cluster.logs()}`,
    )
  })
  await consumer.close()
  await withTimeout(consuming, 10_000, 'the consumer loop to end after close()')
  await producer.close()
  for (let index = 0; index < 600; index++) assert.ok(seen.has(`m-${index}`), `m-${index} never delivered`)
})

test.run()
