// KafkaJS 2.2.4 against a real `weir broker --kafka-listen`: a producer; a consumer group of 3
// with eachMessage gets every message exactly once across the group and commits; once all three
// stop, a restarted member resumes at the committed offsets (nothing re-read, nothing skipped);
// admin createTopics / deleteTopics are Weir topics.
import * as assert from 'node:assert/strict'
import { eventually } from '@weir/protocol/testing'
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs'
import { test } from 'uvu'
import { type KafkaBroker, kafkaJs, startKafkaBroker, weirClient } from './kafka-support.js'

const topic = 'kafkajs-orders'
const partitions = 3
const firstCount = 600
const secondCount = 150
const groupId = 'kafkajs-group'

let broker: KafkaBroker
let kafka: Kafka

test.before(async () => {
  try {
    broker = await startKafkaBroker()
    kafka = kafkaJs([broker.kafka])
    const client = weirClient([broker.bootstrap])
    try {
      await client.admin().createTopic({ topic, partitions })
    } finally {
      await client.close()
    }
  } catch (error) {
    // uvu swallows an error thrown by a `before` hook: say why here.
    console.error('kafkajs.test.ts: starting the broker failed:', error)
    throw error
  }
})

test.after(async () => {
  await broker?.close()
})

const keyFor = (index: number) => `customer-${index % 23}`
const valueFor = (index: number) => JSON.stringify({ index, total: index * 3 })

async function produce(from: number, to: number): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    for (let start = from; start < to; start += 50) {
      const messages = []
      for (let index = start; index < Math.min(to, start + 50); index++)
        messages.push({ key: keyFor(index), value: valueFor(index), headers: { index: String(index) } })
      const acknowledged = await producer.send({ topic, acks: -1, messages })
      for (const entry of acknowledged) assert.equal(entry.errorCode, 0, JSON.stringify(entry))
    }
  } finally {
    await producer.disconnect()
  }
}

interface Received {
  readonly member: number
  readonly partition: number
  readonly offset: number
  readonly index: number
  readonly key: string | undefined
  readonly value: string | undefined
}

// Checked after the fact: an assertion thrown inside eachMessage would only make KafkaJS retry.
function receive(received: Received[], member: number) {
  return async ({ partition, message }: EachMessagePayload) => {
    const index = Number(message.headers?.index?.toString())
    const [key, value] = [message.key?.toString(), message.value?.toString()]
    received.push({ member, partition, offset: Number(message.offset), index, key, value })
  }
}

function assertContents(received: readonly Received[]): void {
  for (const entry of received) {
    assert.equal(entry.key, keyFor(entry.index), `the key of message ${entry.index}`)
    assert.equal(entry.value, valueFor(entry.index), `the value of message ${entry.index}`)
  }
}

function groupConsumer(): Consumer {
  // A short heartbeat so members learn of a rebalance quickly; sessions stay long (a loaded machine).
  return kafka.consumer({ groupId, heartbeatInterval: 500, sessionTimeout: 30_000, rebalanceTimeout: 60_000 })
}

/** Polls `check` every 50 ms until true, or fails after `timeoutMs` with `what()` (and stops polling). */
async function until(what: () => string, timeoutMs: number, check: () => boolean): Promise<void> {
  await eventually(what, check, { timeoutMs, intervalMs: 50 })
}

test('a KafkaJS group of 3 reads every message once and commits; a restarted member resumes there', async () => {
  const members = [groupConsumer(), groupConsumer(), groupConsumer()]
  // Each member's partitions as of its last JoinGroup/SyncGroup.
  const assigned: number[][] = [[], [], []]
  const received: Received[] = []
  try {
    await Promise.all(
      members.map(async (member, index) => {
        member.on(member.events.GROUP_JOIN, (event) => {
          assigned[index] = event.payload.memberAssignment[topic] ?? []
        })
        await member.connect()
        await member.subscribe({ topics: [topic], fromBeginning: true })
        await member.run({ eachMessage: receive(received, index) })
      }),
    )
    // Produce only once the group is stable with one partition each, so no rebalance moves a
    // partition mid-stream and "exactly once across the group" is what a correct broker gives.
    await until(
      () => `a stable group of 3, one partition each (assignments ${JSON.stringify(assigned)})`,
      120_000,
      () =>
        assigned.every((partitionsOfMember) => partitionsOfMember.length === 1) &&
        new Set(assigned.flat()).size === partitions,
    )
    await produce(0, firstCount)
    await until(
      () => `${firstCount} messages (received ${received.length})`,
      120_000,
      () => received.length >= firstCount,
    )
  } finally {
    // disconnect() commits what was processed, as KafkaJS does on a clean stop.
    await Promise.all(members.map((member) => member.disconnect()))
  }
  assert.equal(received.length, firstCount, 'no message came twice')
  assertContents(received)
  assert.deepEqual(
    received.map((entry) => entry.index).sort((a, b) => a - b),
    Array.from({ length: firstCount }, (_, index) => index),
  )
  for (const entry of received)
    assert.deepEqual(assigned[entry.member], [entry.partition], 'each member read only its own partition')
  assert.equal(new Set(received.map((entry) => entry.member)).size, 3, 'all three members read')

  // The committed offset of each partition is one past the last message read there.
  const admin = kafka.admin()
  await admin.connect()
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] })
    for (let partition = 0; partition < partitions; partition++) {
      const last = received
        .filter((entry) => entry.partition === partition)
        .reduce((max, entry) => Math.max(max, entry.offset), -1)
      const offset = committed!.partitions.find((entry) => entry.partition === partition)?.offset
      assert.equal(offset, String(last + 1), `the committed offset of partition ${partition}`)
    }
  } finally {
    await admin.disconnect()
  }

  // A restarted member (fromBeginning, which committed offsets override) gets exactly the new ones:
  // a message read before would come first on its partition, so it would be seen by then.
  await produce(firstCount, firstCount + secondCount)
  const restarted = groupConsumer()
  const again: Received[] = []
  try {
    await restarted.connect()
    await restarted.subscribe({ topics: [topic], fromBeginning: true })
    await restarted.run({ eachMessage: receive(again, 0) })
    await until(
      () => `the ${secondCount} new messages (received ${again.length})`,
      120_000,
      () => again.filter((entry) => entry.index >= firstCount).length >= secondCount,
    )
  } finally {
    await restarted.disconnect()
  }
  assertContents(again)
  const reread = again.filter((entry) => entry.index < firstCount).map((entry) => entry.index)
  assert.deepEqual(reread, [], 'nothing read before the restart is read again')
  assert.deepEqual(
    again.map((entry) => entry.index).sort((a, b) => a - b),
    Array.from({ length: secondCount }, (_, index) => firstCount + index),
    'every new message once',
  )
})

test('KafkaJS admin createTopics / deleteTopics make and remove a Weir topic', async () => {
  const name = 'kafkajs-admin-topic'
  const admin = kafka.admin()
  const client = weirClient([broker.bootstrap])
  await admin.connect()
  try {
    const created = await admin.createTopics({
      topics: [{ topic: name, numPartitions: 2, replicationFactor: 1 }],
      waitForLeaders: true,
    })
    assert.equal(created, true, 'createTopics says it created the topic')
    assert.ok((await admin.listTopics()).includes(name), 'KafkaJS lists the new topic')
    const described = await client.admin().describeTopic(name)
    assert.equal(described.partitions.length, 2, "Weir's client sees its 2 partitions")

    await admin.deleteTopics({ topics: [name] })
    assert.ok(!(await client.admin().listTopics()).includes(name), "Weir's client no longer lists it")
    assert.ok(!(await admin.listTopics()).includes(name), 'KafkaJS no longer lists it')
  } finally {
    await admin.disconnect()
    await client.close()
  }
})

test.run()
