// A 3-broker Weir cluster (child processes, each with its own --kafka-listen): a KafkaJS producer
// with acks=-1 keeps producing through a SIGKILL of the partition's leader, and every record it
// saw acknowledged is read back afterwards: nothing lost (idempotence off and on), and nothing
// twice with the idempotent producer.
import * as assert from 'node:assert/strict'
import { codecs, defineTopic, type Message } from '@weir/client'
import { eventually, withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import { waitFor } from '../cluster/cluster-support.js'
import {
  type KafkaCluster,
  kafkaJs,
  kcat,
  kcatAvailable,
  kcatPath,
  startKafkaCluster,
  weirClient,
} from './kafka-support.js'

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
const beforeKill = 80
const afterKill = 120
/**
 * Concurrent senders, each one send() at a time. The idempotent producer gets one: KafkaJS 2.2.4
 * hands a failed request's sequence numbers back and gives them to whichever send() comes next, so
 * with two sends in flight across a leader change it can send a new record under the sequence of
 * one the old leader had stored, and the broker (as Kafka's would) answers it as a duplicate of
 * that one: acknowledged, never stored (a known KafkaJS limit of concurrent idempotent sends, see
 * tulios/kafkajs#1005). One sender's retry reuses its own sequence, as intended.
 */
const sendersOf = (idempotent: boolean) => (idempotent ? 1 : 4)
/** Records per send(): several, so a batch of them is in flight when the leader dies. */
const recordsPerSend = 4
/** Per sender; a send that fails (retries exhausted while the cluster elects) moves on to the next value. */
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
    // Every send has settled and the producer is disconnected: nothing of it lands after this.
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
  let killed = false
  // Set when the test gives up, so no sender keeps going after it.
  let stopped = false
  const enough = () => stopped || (killed && acknowledged.length >= beforeKill + afterKill)
  const senders = sendersOf(idempotent)
  // Several records in flight when the leader dies (one record at a time would leave
  // each record replicated before the next is sent, and a broker acknowledging too early would go
  // unnoticed). Each sender's records are sent one after the other, so they keep their order.
  const sender = async (worker: number) => {
    for (let send = 0; !enough(); send++) {
      assert.ok(send < sendsMax, `${sendsMax} sends without ${beforeKill + afterKill} acknowledged`)
      const values = Array.from({ length: recordsPerSend }, (_, index) => `sender-${worker}-${send}-${index}`)
      try {
        const messages = values.map((value) => ({ key: `key-${worker}`, value }))
        await producer.send({ topic, acks: -1, messages })
        acknowledged.push(...values)
      } catch (error) {
        failures.push(`${values[0]}: ${(error as Error).message}`)
      }
    }
  }
  const killer = async () => {
    await eventually(
      () => `${beforeKill} acknowledged records before the kill (have ${acknowledged.length})`,
      () => acknowledged.length >= beforeKill,
      { timeoutMs: 120_000, intervalMs: 5 },
    )
    await env.cluster.kill(leader)
    killed = true
  }
  await producer.connect()
  try {
    await withTimeout(
      Promise.all([killer(), ...Array.from({ length: senders }, (_, worker) => sender(worker))]),
      180_000,
      () =>
        `${beforeKill + afterKill} acknowledged records (have ${acknowledged.length}, broker ${leader} killed: ${killed}; failures: ${failures.slice(-3).join('; ')})\n${env.cluster.logs()}`,
    )
  } finally {
    stopped = true
    await producer.disconnect()
  }

  const values = await readAll(topic)
  if (kcatAvailable) {
    // The same log through a surviving broker's Kafka listener (Fetch past the new leader's no-op).
    const survivor = env.kafka[env.cluster.brokers.findIndex((broker) => broker.child !== undefined)]!
    const { stdout } = await kcat(survivor, ['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n'])
    assert.deepEqual(stdout.split('\n').slice(0, -1), [...values, 'sentinel'], 'kcat -C reads the same log')
  }
  const stored = new Set(values)
  const lost = acknowledged.filter((value) => !stored.has(value))
  assert.deepEqual(
    lost,
    [],
    `acknowledged records missing after the kill of broker ${leader} (failed sends: ${failures.join('; ') || 'none'})`,
  )
  if (idempotent) {
    const twice = values.filter((value, index) => values.indexOf(value) !== index)
    assert.deepEqual(twice, [], 'records stored twice by the idempotent producer')
  }
  // Each sender's acknowledged records are stored in the order it sent them.
  for (let worker = 0; worker < senders; worker++) {
    const prefix = `sender-${worker}-`
    const sent = acknowledged.filter((value) => value.startsWith(prefix))
    const sentSet = new Set(sent)
    const order = [...new Set(values.filter((value) => sentSet.has(value)))]
    assert.deepEqual(order, sent, `sender ${worker}'s acknowledged records in send order`)
  }

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

interface KcatMetadata {
  brokers: { id: number; name: string }[]
  topics: { topic: string; partitions: { partition: number; leader: number; replicas: { id: number }[] }[] }[]
}

const listTitle = "kcat -L on any broker lists the three brokers at their Kafka addresses and Weir's leaders"
if (kcatAvailable) {
  test(listTitle, async () => {
    const topic = 'kafka-listed'
    const client = weirClient(env.cluster.bootstrap)
    try {
      await waitFor(`topic ${topic} created`, 30_000, async () => {
        await client.admin().createTopic({ topic, partitions: 3, replicationFactor: 3 })
        return true
      })
      const expected = env.kafka.map((name, index) => ({ id: index + 1, name }))
      for (const address of env.kafka) {
        // Peers' Kafka addresses travel in heartbeats, and leaders are elected: ask until settled.
        const listed = await waitFor(
          `kcat -L on ${address} to list 3 brokers and 3 leaders`,
          60_000,
          async () => {
            const metadata = JSON.parse(
              (await kcat(address, ['-L', '-J', '-t', topic])).stdout,
            ) as KcatMetadata
            const partitions = metadata.topics.find((entry) => entry.topic === topic)?.partitions ?? []
            const led = partitions.filter((partition) => partition.leader > 0).length
            return metadata.brokers.length === 3 && led === 3 ? metadata : undefined
          },
        )
        assert.deepEqual(
          [...listed.brokers].sort((a, b) => a.id - b.id),
          expected,
          'every broker at its --kafka-listen address',
        )
        const described = await client.admin().describeTopic(topic)
        for (const partition of listed.topics[0]!.partitions) {
          const weir = described.partitions[partition.partition]!
          assert.equal(partition.leader, weir.leader, `partition ${partition.partition}'s leader`)
          assert.deepEqual(
            partition.replicas.map((replica) => replica.id).sort(),
            [...weir.replicas].sort(),
            `partition ${partition.partition}'s replicas`,
          )
        }
      }
    } finally {
      await client.close()
    }
  })
} else {
  console.log(`skipped: no kcat at ${kcatPath} (apt-get install kcat, or set WEIR_KCAT)`)
  test.skip(listTitle, () => {})
}

test('KafkaJS acks=-1 keeps producing through a leader kill: nothing acknowledged is lost', async () => {
  await produceThroughLeaderKill('kafka-failover-plain', false)
})

test('the idempotent KafkaJS producer through a leader kill: nothing lost, nothing twice', async () => {
  await produceThroughLeaderKill('kafka-failover-idempotent', true)
})

test.run()
