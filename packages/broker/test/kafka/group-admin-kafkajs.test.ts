// Proves the group and partition admin calls of KafkaJS (a client no one here wrote) work against
// the Kafka listener over real sockets: describeGroups shows a running consumer group's member and
// the assignment KafkaJS's own decoder reads, listGroups lists it, deleteGroups refuses the live
// group and deletes it once empty, and createPartitions grows a topic a producer then writes to.
import { type Admin, AssignerProtocol, type Consumer, Kafka, logLevel } from 'kafkajs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { removeTempDirectories, startBroker } from '../support/broker.js'

const topic = 'gadmin-events'
const groupId = 'gadmin-live'
/** Far above what any step takes, so a slow machine never fails a test; only a hang does. */
const stepTimeoutMs = 120_000
let broker: Broker
let kafka: Kafka
let admin: Admin
let consumer: Consumer | undefined

test.before(async () => {
  broker = await startBroker({ kafkaListen: '127.0.0.1:0', groups: { offsetsPartitions: 2 } })
  await broker.groups.loaded
  kafka = new Kafka({
    clientId: 'weir-gadmin-test',
    brokers: [`127.0.0.1:${broker.kafkaAddress!.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
  })
  admin = kafka.admin()
  await admin.connect()
  assert.ok(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }))
})

test.after(async () => {
  await consumer?.disconnect()
  await admin.disconnect()
  await broker.close()
  removeTempDirectories()
})

/** A KafkaJS consumer of `topic` in `groupId`, resolved once it has joined (its GROUP_JOIN event). */
async function joinedConsumer(): Promise<Consumer> {
  const member = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 1_000 })
  const joined = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the consumer did not join')), stepTimeoutMs)
    member.on(member.events.GROUP_JOIN, () => {
      clearTimeout(timer)
      resolve()
    })
  })
  await member.connect()
  await member.subscribe({ topics: [topic], fromBeginning: true })
  await member.run({ eachMessage: async () => {} })
  await joined
  return member
}

test('describeGroups shows the live group: Stable, consumer protocol, its member and assignment', async () => {
  consumer = await joinedConsumer()
  const { groups } = await admin.describeGroups([groupId, 'gadmin-nobody'])
  const live = groups.find((group) => group.groupId === groupId)!
  assert.is(live.state, 'Stable')
  assert.is(live.protocolType, 'consumer', "Kafka's name, not the stored kafka:consumer")
  assert.is(live.protocol, 'RoundRobinAssigner')
  assert.is(live.members.length, 1)
  const member = live.members[0]!
  assert.is(member.clientId, 'weir-gadmin-test')
  const subscription = AssignerProtocol.MemberMetadata.decode(member.memberMetadata)
  assert.equal(subscription?.topics, [topic])
  const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)
  assert.equal(
    assignment?.assignment[topic]?.slice().sort((a, b) => a - b),
    [0, 1],
  )
  const unknown = groups.find((group) => group.groupId === 'gadmin-nobody')!
  assert.is(unknown.state, 'Dead')
  assert.is(unknown.members.length, 0)
})

test('listGroups lists the live group as a consumer group', async () => {
  const { groups } = await admin.listGroups()
  assert.equal(
    groups.filter((group) => group.groupId === groupId),
    [{ groupId, protocolType: 'consumer' }],
  )
})

test('deleteGroups refuses the live group (NON_EMPTY_GROUP), deletes it once empty, then GROUP_ID_NOT_FOUND', async () => {
  const refused = await admin.deleteGroups([groupId]).then(
    () => undefined,
    (error: { groups?: { groupId: string; error: { type: string } }[] }) => error,
  )
  assert.equal(
    refused?.groups?.map((group) => [group.groupId, group.error.type]),
    [[groupId, 'NON_EMPTY_GROUP']],
  )
  await consumer!.disconnect()
  consumer = undefined
  const { groups } = await admin.describeGroups([groupId])
  assert.is(groups[0]!.state, 'Empty')
  assert.equal(await admin.deleteGroups([groupId]), [{ groupId, errorCode: 0 }])
  assert.is(
    (await admin.listGroups()).groups.some((group) => group.groupId === groupId),
    false,
  )
  const again = await admin.deleteGroups([groupId]).then(
    () => undefined,
    (error: { groups?: { error: { type: string } }[] }) => error,
  )
  assert.equal(
    again?.groups?.map((group) => group.error.type),
    ['GROUP_ID_NOT_FOUND'],
  )
})

test('createPartitions grows the topic and a producer writes to the new partition', async () => {
  await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] })
  assert.is(broker.cluster.image.topic(topic)?.replicas.length, 3)
  const producer = kafka.producer()
  await producer.connect()
  try {
    const [written] = await producer.send({
      topic,
      messages: [{ partition: 2, value: 'on the new partition' }],
    })
    assert.is(written?.partition, 2)
    assert.is(written?.errorCode, 0)
  } finally {
    await producer.disconnect()
  }
  const offsets = await admin.fetchTopicOffsets(topic)
  assert.is(offsets.find((offset) => offset.partition === 2)?.high, '1')
})

test('createPartitions: validateOnly changes nothing; no growth is INVALID_PARTITIONS; assignments are refused', async () => {
  await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic, count: 5 }] })
  assert.is(broker.cluster.image.topic(topic)?.replicas.length, 3)
  const typeOf = (work: Promise<unknown>) =>
    work.then(
      () => 'none',
      (error: { type?: string }) => error.type,
    )
  assert.is(
    await typeOf(admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] })),
    'INVALID_PARTITIONS',
  )
  assert.is(
    await typeOf(admin.createPartitions({ topicPartitions: [{ topic, count: 4, assignments: [[1]] }] })),
    'INVALID_REPLICA_ASSIGNMENT',
  )
  assert.is(
    await typeOf(admin.createPartitions({ topicPartitions: [{ topic: 'gadmin-missing', count: 4 }] })),
    'UNKNOWN_TOPIC_OR_PARTITION',
  )
  assert.is(broker.cluster.image.topic(topic)?.replicas.length, 3)
})

test.run()
