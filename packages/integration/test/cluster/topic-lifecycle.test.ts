// Proves topic changes go through the controller with real processes: CreatePartitions and
// DeleteTopics from any broker, and a topic deleted and created again while a broker was down:
// that broker drops the old topic's logs when it comes back and ends with the new topic's bytes,
// even though its stale replica holds a later Raft term than the new topic's group. Raft messages
// and controller proposals from the client port (an outsider) are refused and change nothing.
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Connection, codecs, defineTopic, isWeirError } from '@weir/client'
import {
  authenticatePeer,
  ControllerPropose,
  clusterSecretOf,
  encodeBody,
  Metadata,
  nodeTimers,
  RaftMessages,
  tcpTransport,
} from '@weir/protocol'
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
  // A failover moves the old topic to a later term than the new one will start at. Without
  // incarnations on Raft messages, broker 3 coming back with that term would win an election in
  // the new topic's group (same name, "newer" log) and bring the deleted records back.
  await env.cluster.kill(1)
  await waitFor('a new leader of the old topic', 15_000, async () => {
    await producer.send({ topic, partition: 0, value: 'old-after-failover' })
    return true
  })
  await env.cluster.restart(1)

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

test('Raft messages of another creation of a topic are ignored', async () => {
  const name = 'probe'
  const { leaderId, leader, sender, incarnation } = await ledTopic(name)
  // Raft messages come from an authenticated peer on the peer port: play the sender, which holds
  // the cluster secret.
  const connection = await open(leader.peerPort)
  await authenticatePeer(connection, {
    selfId: sender.id,
    peerId: leader.id,
    address: `peer port of broker ${leader.id}`,
    secret: clusterSecretOf(readFileSync(env.cluster.secretFile))!,
    nonce: randomBytes(32),
  })
  try {
    // The peer listener serves no client API: Metadata goes to the client port.
    const metadata = await open(leader.port)
    const leaderSeen = async () => {
      const response = await metadata.request(Metadata, { topics: [name] })
      return response.topics[0]?.partitions[0]?.leader
    }
    // A heartbeat of a far later term makes a leader step down, if it is for its group.
    const heartbeat = (groupIncarnation: string) =>
      connection.request(RaftMessages, {
        from: sender.id,
        messages: [
          {
            group: `${name}/0`,
            incarnation: groupIncarnation,
            message: { type: 'heartbeat', from: sender.id, to: leaderId, term: 1_000_000, commit: -1 },
          },
        ],
        leaders: [],
      })
    // RaftMessages steps each message into its replica before it answers, and this Metadata
    // (asked after that answer) reads the leader's own replica: a step-down would already show.
    await heartbeat('an-earlier-creation')
    assert.is(await leaderSeen(), leaderId, 'a message of another creation changed nothing')

    await heartbeat(incarnation)
    await waitFor('the leader steps down for its own group', 5_000, async () =>
      (await leaderSeen()) !== leaderId ? true : undefined,
    )
    metadata.close()
  } finally {
    connection.close()
  }
})

test('the same Raft messages on the client port are refused and change nothing', async () => {
  const name = 'outsider-raft'
  const { leaderId, leader, sender, incarnation } = await ledTopic(name)
  const connection = await open(leader.port)
  try {
    const forged = {
      from: sender.id,
      messages: [
        {
          group: `${name}/0`,
          incarnation,
          message: { type: 'heartbeat', from: sender.id, to: leaderId, term: 1_000_000, commit: -1 },
        },
      ],
      leaders: [],
    }
    const refused = await connection.request(RaftMessages, forged).then(
      () => undefined,
      (error: unknown) => error,
    )
    assert.ok(isWeirError(refused, 'CLUSTER_AUTHORIZATION_FAILED'), `refused: ${String(refused)}`)
    // The connection stays open and the leader did not step down.
    const response = await connection.request(Metadata, { topics: [name] })
    assert.is(response.topics[0]?.partitions[0]?.leader, leaderId)
  } finally {
    connection.close()
  }
})

test('a ControllerPropose deleting a topic from the client port is refused; the topic stays', async () => {
  const admin = env.client.admin()
  const name = 'outsider-delete'
  await admin.createTopic({ topic: name, partitions: 1, replicationFactor: 3 })
  for (const broker of env.cluster.brokers) {
    const connection = await open(broker.port)
    try {
      const refused = await connection
        .request(ControllerPropose, { record: encodeBody({ type: 'topicDeleted', name }) })
        .then(
          () => undefined,
          (error: unknown) => error,
        )
      assert.ok(
        isWeirError(refused, 'CLUSTER_AUTHORIZATION_FAILED'),
        `broker ${broker.id}: ${String(refused)}`,
      )
      const offsets = await connection
        .request(ControllerPropose, {
          record: encodeBody({ type: 'topicDeleted', name: '__consumer_offsets' }),
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        )
      assert.ok(isWeirError(offsets, 'CLUSTER_AUTHORIZATION_FAILED'))
    } finally {
      connection.close()
    }
  }
  const described = await admin.describeTopic(name)
  assert.is(described.partitions.length, 1)
  assert.ok((await admin.describeTopic('__consumer_offsets')).partitions.length > 0)
})

/** Creates `name` (RF 3) and names its leader, another broker, and the topic's creation id. */
async function ledTopic(name: string) {
  const admin = env.client.admin()
  await admin.createTopic({ topic: name, partitions: 1, replicationFactor: 3 })
  const leaderId = await waitFor(`${name} has a leader`, 15_000, async () => {
    const leader = (await admin.describeTopic(name)).partitions[0]?.leader ?? -1
    return leader > 0 ? leader : undefined
  })
  const leader = env.cluster.brokers.find((broker) => broker.id === leaderId)!
  const sender = env.cluster.brokers.find((broker) => broker.id !== leaderId)!
  const incarnation = await waitFor('the topic id is on disk', 5_000, async () =>
    readFileSync(join(leader.dataDir, name, 'cluster-topic-id'), 'utf8').trim(),
  )
  return { leaderId, leader, sender, incarnation }
}

function open(port: number): Promise<Connection> {
  return Connection.open({
    host: '127.0.0.1',
    port,
    connectTimeoutMs: 2000,
    requestTimeoutMs: 5000,
    inFlightMax: 1,
    frameBytesMax: 1024 * 1024,
    transport: tcpTransport,
    timers: nodeTimers,
  })
}

test.run()
