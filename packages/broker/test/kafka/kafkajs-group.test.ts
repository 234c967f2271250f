// Proves KafkaJS consumer groups (a Kafka client no one here wrote) work against an in-process
// broker over real sockets: three consumers with eachMessage share a 6-partition topic and consume
// every message once, commit, and a restarted consumer resumes from the committed offsets; a
// custom assignor name is carried opaquely and the coordinator picks the protocol every member
// offers; a Weir consumer cannot join the Kafka group (INCONSISTENT_GROUP_PROTOCOL).
import { ErrorCodes, encodeConsumerSubscription, JoinGroup } from '@weir/protocol'
import {
  AssignerProtocol,
  type Consumer,
  type EachMessagePayload,
  Kafka,
  logLevel,
  type PartitionAssigner,
} from 'kafkajs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { batchOf, createTopic, produce, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

const topic = 'events'
const partitionCount = 6
/** Far above what any step takes, so a slow machine never fails a test; only a hang does. */
const stepTimeoutMs = 120_000
let broker: Broker
let native: WireClient
let kafka: Kafka
const consumers: Consumer[] = []

test.before(async () => {
  broker = await startBroker({
    kafkaListen: '127.0.0.1:0',
    groups: { offsetsPartitions: 2 },
  })
  await broker.groups.loaded
  native = await WireClient.connect(broker.address.port)
  await createTopic(native, topic, partitionCount)
  kafka = new Kafka({
    clientId: 'weir-groups-test',
    brokers: [`127.0.0.1:${broker.kafkaAddress!.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100 },
  })
})

test.after(async () => {
  await Promise.allSettled(consumers.map((consumer) => consumer.disconnect()))
  await native.close()
  await broker.close()
  removeTempDirectories()
})

/** Resolves when `check` first returns true after a `poke`; rejects naming `what` after stepTimeoutMs. */
function condition(what: string, check: () => boolean): { poke: () => void; reached: Promise<void> } {
  let resolve!: () => void
  let reject!: (error: Error) => void
  const reached = new Promise<void>((yes, no) => {
    resolve = yes
    reject = no
  })
  const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), stepTimeoutMs)
  timer.unref()
  const poke = () => {
    if (!check()) return
    clearTimeout(timer)
    resolve()
  }
  return { poke, reached }
}

/** `count` records on every partition, values `${label}-${partition}-${index}`, by Weir's protocol. */
async function produceEverywhere(label: string, count: number): Promise<string[]> {
  const values: string[] = []
  for (let partition = 0; partition < partitionCount; partition++) {
    const records = Array.from({ length: count }, (_, index) => ({
      key: null,
      value: Buffer.from(`${label}-${partition}-${index}`),
    }))
    const result = await produce(native, topic, partition, batchOf(records))
    assert.is(result.errorCode, 0)
    values.push(...records.map((record) => record.value.toString()))
  }
  return values
}

function newConsumer(groupId: string, partitionAssigners?: PartitionAssigner[]): Consumer {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 30_000,
    rebalanceTimeout: 60_000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 200,
    ...(partitionAssigners === undefined ? {} : { partitionAssigners }),
  })
  consumers.push(consumer)
  return consumer
}

type Assignment = Record<string, number[]>

test('a group of 3 with eachMessage consumes every message once, commits, and a restarted consumer resumes there', async () => {
  const groupId = 'kafkajs-three'
  const group = [newConsumer(groupId), newConsumer(groupId), newConsumer(groupId)]
  const assignments: (Assignment | undefined)[] = [undefined, undefined, undefined]
  // The messages are produced once the group settled on 3 members, so no partition moves while
  // they are consumed and "once" is exact (a move before a commit would re-deliver, as in Kafka).
  const settled = condition('the three consumers to share the six partitions', () => {
    const owned = assignments.map((assignment) => assignment?.[topic] ?? [])
    const all = owned.flat()
    return owned.every((partitions) => partitions.length === 2) && new Set(all).size === partitionCount
  })
  const seen = new Map<string, number>()
  const perConsumer = [0, 0, 0]
  const expected = 100 * partitionCount
  const consumed = condition(`${expected} messages`, () => seen.size >= expected)
  await Promise.all(
    group.map(async (consumer, index) => {
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        assignments[index] = event.payload.memberAssignment
        settled.poke()
      })
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ message }: EachMessagePayload) => {
          const value = message.value!.toString()
          seen.set(value, (seen.get(value) ?? 0) + 1)
          perConsumer[index]! += 1
          consumed.poke()
        },
      })
    }),
  )
  await settled.reached
  const values = await produceEverywhere('first', 100)
  await consumed.reached
  assert.equal([...seen.keys()].sort(), [...values].sort(), 'every message, nothing else')
  assert.ok(
    [...seen.values()].every((times) => times === 1),
    'each message exactly once',
  )
  assert.ok(
    perConsumer.every((count) => count === 200),
    `each consumer read its two partitions: ${perConsumer}`,
  )
  await Promise.all(group.map((consumer) => consumer.disconnect()))

  const admin = kafka.admin()
  await admin.connect()
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] })
  await admin.disconnect()
  assert.equal(
    committed[0]!.partitions
      .map(({ partition, offset }) => [partition, offset])
      .sort(([a], [b]) => Number(a) - Number(b)),
    Array.from({ length: partitionCount }, (_, partition) => [partition, '100']),
    'the group committed the end of every partition',
  )

  const later = await produceEverywhere('second', 10)
  const restarted = newConsumer(groupId)
  const resumed: string[] = []
  const caughtUp = condition(
    'the restarted consumer to read the new messages',
    () => resumed.length >= later.length,
  )
  await restarted.connect()
  await restarted.subscribe({ topic, fromBeginning: true })
  await restarted.run({
    eachMessage: async ({ message }) => {
      resumed.push(message.value!.toString())
      caughtUp.poke()
    },
  })
  await caughtUp.reached
  assert.equal(
    [...resumed].sort(),
    [...later].sort(),
    'from the committed offsets: only what came after, although fromBeginning is set',
  )
  await restarted.disconnect()
})

/** Round robin over the subscribed partitions, under a name of our own choosing. */
function namedAssigner(name: string, calls: { count: number }): PartitionAssigner {
  return ({ cluster }) => ({
    name,
    version: 0,
    async assign({ members, topics }) {
      calls.count += 1
      const memberIds = members.map((member) => member.memberId).sort()
      const owned = new Map<string, Assignment>(memberIds.map((memberId) => [memberId, {}]))
      let next = 0
      for (const subscribed of topics)
        for (const { partitionId } of cluster.findTopicPartitionMetadata(subscribed)) {
          const assignment = owned.get(memberIds[next++ % memberIds.length]!)!
          assignment[subscribed] = [...(assignment[subscribed] ?? []), partitionId]
        }
      return memberIds.map((memberId) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: owned.get(memberId)!,
          userData: Buffer.alloc(0),
        }),
      }))
    },
    protocol({ topics }) {
      return {
        name,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
      }
    },
  })
}

test('custom assignor names are carried opaquely; the coordinator picks the one every member offers; a Weir consumer is refused', async () => {
  const groupId = 'kafkajs-custom'
  const shared = { count: 0 }
  const unused = { count: 0 }
  const first = newConsumer(groupId, [
    namedAssigner('every-member-offers-this', shared),
    namedAssigner('only-the-first-offers-this', unused),
  ])
  const second = newConsumer(groupId, [
    namedAssigner('only-the-second-offers-this', unused),
    namedAssigner('every-member-offers-this', shared),
  ])
  const joins: ({ protocol: string; assignment: Assignment } | undefined)[] = [undefined, undefined]
  const bothIn = condition('both consumers to hold partitions under one protocol', () => {
    const owned = joins.map((join) => join?.assignment[topic] ?? [])
    return (
      owned.every((partitions) => partitions.length === 3) && new Set(owned.flat()).size === partitionCount
    )
  })
  await Promise.all(
    [first, second].map(async (consumer, index) => {
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        joins[index] = { protocol: event.payload.groupProtocol, assignment: event.payload.memberAssignment }
        bothIn.poke()
      })
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: false })
      await consumer.run({ eachMessage: async () => {} })
    }),
  )
  await bothIn.reached
  assert.equal(
    joins.map((join) => join?.protocol),
    ['every-member-offers-this', 'every-member-offers-this'],
  )
  assert.ok(shared.count >= 1, 'the leader assigned with the chosen assignor')
  assert.is(unused.count, 0, 'no other assignor ran')

  const weir = await native.call(JoinGroup, {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    protocolType: 'consumer',
    protocols: [
      {
        name: 'every-member-offers-this',
        metadata: encodeConsumerSubscription({
          topics: [topic],
          ownedPartitions: new Map(),
          generationId: -1,
        }),
      },
    ],
  })
  assert.is(weir.errorCode, ErrorCodes.INCONSISTENT_GROUP_PROTOCOL.code)
  await Promise.all([first.disconnect(), second.disconnect()])
})

test.run()
