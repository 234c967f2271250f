// A 3-broker Weir cluster (child processes, each with its own --kafka-listen): a KafkaJS producer
// with acks=-1 keeps producing through a SIGKILL of the partition's leader, and every record it
// saw acknowledged is read back afterwards: nothing lost (idempotence off and on), and nothing
// twice with the idempotent producer.
import * as assert from 'node:assert/strict'
import { codecs, defineTopic, type Message } from '@weir/client'
import { withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import { waitFor } from '../cluster/cluster-support.js'
import { type KafkaCluster, kafkaJs, startKafkaCluster, weirClient } from './kafka-support.js'

let env: KafkaCluster

test.before(async () => {
  try {
    env = await startKafkaCluster()
  } catch (error) {
    // uvu swallows an error thrown by a `before` hook: say why here.
    console.error('kafka-cluster.test.ts: starting the cluster failed:', error)
    throw error
  }
})

test.after(async () => {
  await env?.cluster.close()
})

/** Acknowledged records before the kill, and after it. */
const beforeKill = 40
const afterKill = 60
/** A send that fails (retries exhausted while the cluster elects) is tried again with the next value. */
const sendsMax = 2_000

async function leaderOf(topic: string): Promise<number> {
  const client = weirClient(env.cluster.bootstrap)
  try {
    return await waitFor(`the leader of ${topic}`, 30_000, async () => {
      const leader = (await client.admin().describeTopic(topic)).partitions[0]?.leader ?? -1
      return leader > 0 ? leader : undefined
    })
  } finally {
    await client.close()
  }
}

/** Every value of the topic, in log order, up to a sentinel Weir's client appends at the end. */
async function readAll(topic: string): Promise<string[]> {
  const alive = env.cluster.brokers.filter((broker) => broker.child !== undefined)
  const client = weirClient(alive.map((broker) => `127.0.0.1:${broker.port}`))
  const descriptor = defineTopic<string>({ name: topic, codec: codecs.string })
  try {
    // The producer is disconnected, so nothing it retries can land after the sentinel.
    await client.producer({ acks: 'all' }).send({ topic: descriptor, value: 'sentinel' })
    const consumer = client.consumer({ topics: [descriptor], fromBeginning: true })
    const values: string[] = []
    try {
      await withTimeout(
        (async () => {
          for await (const message of consumer as AsyncIterable<Message<string>>) {
            if (message.value === 'sentinel') return
            values.push(message.value)
          }
        })(),
        60_000,
        () => `the sentinel of ${topic} (read ${values.length} values)`,
      )
    } finally {
      await consumer.close()
    }
    return values
  } finally {
    await client.close()
  }
}

async function produceThroughLeaderKill(topic: string, idempotent: boolean): Promise<void> {
  const admin = weirClient(env.cluster.bootstrap)
  try {
    await waitFor(`topic ${topic} created`, 30_000, async () => {
      await admin.admin().createTopic({ topic, partitions: 1, replicationFactor: 3 })
      return true
    })
  } finally {
    await admin.close()
  }
  const leader = await leaderOf(topic)
  const kafka = kafkaJs(env.kafka, `producer-${topic}`)
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent,
    ...(idempotent ? { maxInFlightRequests: 1 } : {}),
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1_000 },
  })
  const acknowledged: string[] = []
  const failures: string[] = []
  let killedAt = -1
  await producer.connect()
  try {
    await withTimeout(
      (async () => {
        for (let send = 0; acknowledged.length < beforeKill + afterKill; send++) {
          assert.ok(send < sendsMax, `${sendsMax} sends without ${beforeKill + afterKill} acknowledged`)
          if (killedAt < 0 && acknowledged.length === beforeKill) {
            await env.cluster.kill(leader)
            killedAt = send
          }
          const value = `record-${send}`
          try {
            await producer.send({ topic, acks: -1, messages: [{ key: `key-${send % 5}`, value }] })
            acknowledged.push(value)
          } catch (error) {
            failures.push(`${value}: ${(error as Error).message}`)
          }
        }
      })(),
      180_000,
      () =>
        `${beforeKill + afterKill} acknowledged records (have ${acknowledged.length}, killed broker ${leader} at send ${killedAt}; failures: ${failures.slice(-3).join('; ')})\n${env.cluster.logs()}`,
    )
  } finally {
    await producer.disconnect()
  }
  assert.ok(killedAt >= 0, 'the leader was killed mid-stream')

  const values = await readAll(topic)
  const stored = new Set(values)
  const lost = acknowledged.filter((value) => !stored.has(value))
  assert.deepEqual(lost, [], `acknowledged records missing after the kill of broker ${leader}`)
  if (idempotent) {
    const twice = values.filter((value, index) => values.indexOf(value) !== index)
    assert.deepEqual(twice, [], 'records stored twice by the idempotent producer')
  }
  // Acknowledged records are in the order they were sent (one send at a time).
  const order = values.filter((value) => acknowledged.includes(value))
  assert.deepEqual([...new Set(order)], acknowledged, 'acknowledged records in send order')

  // Bring the killed broker back and wait until it is in sync again, so the next test can lose a
  // broker and still have a majority.
  await env.cluster.restart(leader)
  const client = weirClient(env.cluster.bootstrap)
  try {
    await waitFor(`broker ${leader} back in sync on ${topic}`, 60_000, async () => {
      const partition = (await client.admin().describeTopic(topic)).partitions[0]
      return partition?.isr?.includes(leader) === true ? true : undefined
    })
  } finally {
    await client.close()
  }
}

test('KafkaJS acks=-1 keeps producing through a leader kill: nothing acknowledged is lost', async () => {
  await produceThroughLeaderKill('kafka-failover-plain', false)
})

test('the idempotent KafkaJS producer through a leader kill: nothing lost, nothing twice', async () => {
  await produceThroughLeaderKill('kafka-failover-idempotent', true)
})

test.run()
