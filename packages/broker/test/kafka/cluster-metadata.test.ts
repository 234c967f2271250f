// Proves Metadata on the Kafka listener of a 3-broker cluster (in one process, real sockets): every
// broker's Kafka address reaches the others through BrokerHeartbeat, so any broker's Metadata lists
// all three as Kafka clients dial them, with each partition's leader, replicas and ISR; and KafkaJS
// produces with acks -1 to partitions led by different brokers, every record readable afterwards.
import { CreateTopics, Kafka } from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { freePort, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'
import { KafkaWire } from './kafka-wire.js'
import { fetchWithKafkajs, kafkajs, kafkajsBroker, readWithWeir } from './kafkajs-support.js'

const secret = 'correct horse battery staple, long enough'
const brokers: Broker[] = []

test.before(async () => {
  const ports: { client: number; peer: number }[] = []
  for (let id = 1; id <= 3; id++) ports.push({ client: await freePort(), peer: await freePort() })
  const peers = ports.map(({ client, peer }, index) => `${index + 1}@127.0.0.1:${client}/${peer}`).join(',')
  brokers.push(
    ...(await Promise.all(
      ports.map(({ client }, index) =>
        startBroker({
          brokerId: index + 1,
          listen: `127.0.0.1:${client}`,
          peers,
          clusterSecret: secret,
          kafkaListen: '127.0.0.1:0',
        }),
      ),
    )),
  )
  await eventually(
    'the topic to be created',
    async () => {
      const client = await WireClient.connect(brokers[0]!.address.port)
      try {
        const answer = await client.call(CreateTopics, {
          topics: [{ name: 'spread', partitions: 3, replicationFactor: 3, config: {} }],
        })
        const code = answer.topics[0]!.errorCode
        return code === 0 || code === 36 ? true : undefined
      } finally {
        await client.close()
      }
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  )
})

test.after(async () => {
  await Promise.all(brokers.map((broker) => broker.close()))
  removeTempDirectories()
})

const request: Kafka.MetadataRequest = {
  topics: [{ name: 'spread' }],
  allowAutoTopicCreation: false,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
}

test("every broker's Metadata lists the three Kafka addresses and a leader for each partition", async () => {
  const expected = brokers.map((broker) => ({
    nodeId: broker.brokerId,
    host: '127.0.0.1',
    port: broker.kafkaAddress!.port,
  }))
  for (const broker of brokers) {
    const wire = await KafkaWire.connect(broker.kafkaAddress!.port)
    try {
      const metadata = await eventually(
        `broker ${broker.brokerId} to know every Kafka address and leader`,
        async () => {
          const answer = await wire.call(Kafka.metadataApi, 9, request)
          const partitions = answer.topics[0]?.partitions ?? []
          const led =
            partitions.length === 3 &&
            partitions.every((partition) => partition.errorCode === 0 && partition.isrNodes.length === 3)
          return answer.brokers.length === 3 && led ? answer : undefined
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      )
      assert.equal(
        [...metadata.brokers]
          .sort((a, b) => a.nodeId - b.nodeId)
          .map(({ nodeId, host, port }) => ({ nodeId, host, port })),
        expected,
      )
      for (const partition of metadata.topics[0]!.partitions) {
        assert.equal([...partition.replicaNodes].sort(), [1, 2, 3])
        assert.equal([...partition.isrNodes].sort(), [1, 2, 3])
        assert.ok(partition.replicaNodes.includes(partition.leaderId))
        assert.ok(partition.leaderEpoch! >= 1)
      }
      const controllerId = metadata.controllerId ?? -1
      assert.ok(controllerId >= 1 && controllerId <= 3, `controller ${controllerId}`)
    } finally {
      wire.close()
    }
  }
})

test('KafkaJS produces with acks -1 to every partition of the cluster; every record is stored', async () => {
  const producer = kafkajs(brokers[0]!.kafkaAddress!.port).producer()
  await producer.connect()
  try {
    for (let partition = 0; partition < 3; partition++) {
      const messages = Array.from({ length: 10 }, (_, index) => ({
        partition,
        value: `p${partition}-${index}`,
      }))
      await producer.send({ topic: 'spread', acks: -1, messages })
    }
  } finally {
    await producer.disconnect()
  }
  for (let partition = 0; partition < 3; partition++) {
    const leaderId = brokers[0]!.cluster.leaderOf('spread', partition)
    const leader = brokers.find((broker) => broker.brokerId === leaderId)!
    const client = await WireClient.connect(leader.address.port)
    try {
      const stored = await readWithWeir(client, 'spread', partition, 10)
      const values = Array.from({ length: 10 }, (_, index) => `p${partition}-${index}`)
      assert.equal(
        stored.map((record) => record.value),
        values,
      )
      // KafkaJS reads the same from the leader's Kafka listener, past the leader's Raft no-op
      // (a Weir control batch, served as a record-less Kafka control batch).
      const kafkaBroker = await kafkajsBroker(leader.kafkaAddress!.port)
      try {
        const fetched = await fetchWithKafkajs(kafkaBroker, 'spread', partition)
        assert.equal(
          fetched.map((record) => record.value),
          values,
        )
        assert.equal(
          fetched.map((record) => record.offset),
          stored.map((record) => record.offset),
        )
      } finally {
        await kafkaBroker.disconnect()
      }
    } finally {
      await client.close()
    }
  }
})

test.run()
