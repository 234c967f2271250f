// Proves the Kafka data path with KafkaJS 2.2.4 over real sockets: what KafkaJS produces (acks -1,
// 1 and 0; idempotent) Weir's own client reads back with identical keys, values, headers and
// timestamps, and what Weir's client produces KafkaJS fetches back identical; ListOffsets answers
// earliest, latest and by timestamp; Metadata names the Kafka listener; an unknown topic is
// UNKNOWN_TOPIC_OR_PARTITION; a resent idempotent batch keeps its first offset.
import { CreateTopics, encodeRecordBatch, Kafka } from '@weir/protocol'
import { CompressionTypes } from 'kafkajs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { produce, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'
import { KafkaWire } from './kafka-wire.js'
import { fetchWithKafkajs, kafkajs, kafkajsBroker, readWithWeir, type SeenRecord } from './kafkajs-support.js'

let broker: Broker
let weir: WireClient
let kafkaPort: number

test.before(async () => {
  broker = await startBroker({ kafkaListen: '127.0.0.1:0' })
  kafkaPort = broker.kafkaAddress!.port
  weir = await WireClient.connect(broker.address.port)
  const topics = [
    'acks-all',
    'acks-leader',
    'acks-none',
    'idempotent',
    'from-weir',
    'offsets',
    'resend',
    'gzip',
  ]
  const created = await weir.call(CreateTopics, {
    topics: topics.map((name) => ({ name, partitions: 1, replicationFactor: 1, config: {} })),
  })
  for (const topic of created.topics) assert.is(topic.errorCode, 0, topic.errorMessage)
})

test.after(async () => {
  await weir.close()
  await broker.close()
  removeTempDirectories()
})

const baseTimestamp = 1_700_000_000_000

function messages(label: string, count: number) {
  return Array.from({ length: count }, (_, index) => ({
    key: index % 3 === 0 ? null : `${label}-key-${index}`,
    value: `${label}-value-${index}`,
    timestamp: String(baseTimestamp + index),
    headers: { source: 'kafkajs', index: String(index) },
  }))
}

function expected(label: string, count: number): SeenRecord[] {
  return messages(label, count).map((message, offset) => ({
    offset,
    key: message.key,
    value: message.value,
    timestamp: Number(message.timestamp),
    headers: message.headers,
  }))
}

for (const [topic, acks] of [
  ['acks-all', -1],
  ['acks-leader', 1],
  ['acks-none', 0],
] as const) {
  test(`KafkaJS produces with acks ${acks}; Weir's client reads every field back`, async () => {
    const producer = kafkajs(kafkaPort).producer()
    await producer.connect()
    try {
      const sent = await producer.send({ topic, acks, messages: messages(topic, 25) })
      if (acks !== 0) assert.equal(sent[0]?.baseOffset, '0')
    } finally {
      await producer.disconnect()
    }
    assert.equal(await readWithWeir(weir, topic, 0, 25), expected(topic, 25))
  })
}

test("acks 0 gets no answer: the next answer on the connection is the next request's", async () => {
  const wire = await KafkaWire.connect(kafkaPort)
  const batch = Kafka.weirBatchToKafka(
    encodeRecordBatch([{ value: Buffer.from('quiet') }], { timestamp: baseTimestamp }),
  )
  wire.send(Kafka.produceApi, 7, {
    transactionalId: null,
    acks: 0,
    timeoutMs: 10_000,
    topics: [{ name: 'acks-none', partitions: [{ partitionIndex: 0, records: batch }] }],
  })
  const versions = wire.send(Kafka.apiVersionsApi, 2, { clientSoftwareName: '', clientSoftwareVersion: '' })
  const answer = Kafka.decodeKafkaResponse(Kafka.apiVersionsApi, 2, (await wire.nextFrame())!)
  assert.is(answer.correlationId, versions)
  wire.close()
})

test("KafkaJS's gzip batches are stored as sent; Weir's client and KafkaJS read them back identical", async () => {
  const producer = kafkajs(kafkaPort).producer()
  await producer.connect()
  try {
    await producer.send({
      topic: 'gzip',
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: messages('gzip', 30),
    })
  } finally {
    await producer.disconnect()
  }
  assert.equal(await readWithWeir(weir, 'gzip', 0, 30), expected('gzip', 30))
  const kafkaBroker = await kafkajsBroker(kafkaPort)
  try {
    assert.equal(await fetchWithKafkajs(kafkaBroker, 'gzip', 0), expected('gzip', 30))
  } finally {
    await kafkaBroker.disconnect()
  }
})

test('the KafkaJS idempotent producer gets an id from InitProducerId and its batches carry it', async () => {
  const producer = kafkajs(kafkaPort).producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  try {
    await producer.send({ topic: 'idempotent', acks: -1, messages: messages('first', 5) })
    await producer.send({ topic: 'idempotent', acks: -1, messages: messages('second', 5) })
  } finally {
    await producer.disconnect()
  }
  const seen = await readWithWeir(weir, 'idempotent', 0, 10)
  assert.equal(
    seen.map((record) => record.value),
    [...messages('first', 5), ...messages('second', 5)].map((message) => message.value),
  )
  const wire = await KafkaWire.connect(kafkaPort)
  const fetched = await wire.call(Kafka.fetchApi, 11, fetchRequest('idempotent'))
  const records = fetched.responses[0]!.partitions[0]!.records as Buffer
  assert.ok(records.readBigInt64BE(43) >= 0n, 'the stored batch carries the producer id')
  wire.close()
})

test('a resent idempotent batch is answered with its first offset and stored once', async () => {
  const wire = await KafkaWire.connect(kafkaPort)
  const { producerId, producerEpoch } = await wire.call(Kafka.initProducerIdApi, 1, {
    transactionalId: null,
    transactionTimeoutMs: 60_000,
  })
  assert.ok(producerId >= 0)
  const batch = Kafka.weirBatchToKafka(
    encodeRecordBatch([{ value: Buffer.from('once') }], {
      timestamp: baseTimestamp,
      producerId,
      producerEpoch,
      baseSequence: 0,
    }),
  )
  const request = {
    transactionalId: null,
    acks: -1,
    timeoutMs: 10_000,
    topics: [{ name: 'resend', partitions: [{ partitionIndex: 0, records: batch }] }],
  }
  const first = await wire.call(Kafka.produceApi, 7, request)
  const again = await wire.call(Kafka.produceApi, 7, request)
  assert.is(first.responses[0]!.partitions[0]!.errorCode, 0)
  assert.is(again.responses[0]!.partitions[0]!.errorCode, 0)
  assert.is(again.responses[0]!.partitions[0]!.baseOffset, first.responses[0]!.partitions[0]!.baseOffset)
  const stored = await readWithWeir(weir, 'resend', 0, 1)
  assert.equal(
    stored.map((record) => record.value),
    ['once'],
  )
  wire.close()
})

test("KafkaJS fetches what Weir's client produced, every field identical", async () => {
  const records = Array.from({ length: 40 }, (_, index) => ({
    key: index % 4 === 0 ? null : Buffer.from(`weir-key-${index}`),
    value: Buffer.from(`weir-value-${index}`),
    timestamp: baseTimestamp + 1000 + index,
    headers: [{ key: 'origin', value: Buffer.from(`weir-${index}`) }],
  }))
  const first = await produce(weir, 'from-weir', 0, encodeRecordBatch(records.slice(0, 20), { timestamp: 0 }))
  const second = await produce(weir, 'from-weir', 0, encodeRecordBatch(records.slice(20), { timestamp: 0 }))
  assert.is(first.errorCode, 0)
  assert.is(second.errorCode, 0)
  const kafkaBroker = await kafkajsBroker(kafkaPort)
  try {
    const seen = await fetchWithKafkajs(kafkaBroker, 'from-weir', 0)
    assert.equal(
      seen,
      records.map((record, offset) => ({
        offset,
        key: record.key === null ? null : record.key.toString(),
        value: record.value.toString(),
        timestamp: record.timestamp,
        headers: { origin: `weir-${offset}` },
      })),
    )
    // From the middle of a batch: the records before the fetch offset are not handed out.
    assert.equal(
      (await fetchWithKafkajs(kafkaBroker, 'from-weir', 0, 25)).map((record) => record.offset)[0],
      25,
    )
  } finally {
    await kafkaBroker.disconnect()
  }
})

test('ListOffsets: earliest, latest and by timestamp, through the KafkaJS admin', async () => {
  const producer = kafkajs(kafkaPort).producer()
  await producer.connect()
  try {
    await producer.send({ topic: 'offsets', acks: -1, messages: messages('offsets', 10) })
  } finally {
    await producer.disconnect()
  }
  const admin = kafkajs(kafkaPort).admin()
  await admin.connect()
  try {
    const [latest] = await admin.fetchTopicOffsets('offsets')
    assert.equal(
      { partition: latest!.partition, high: latest!.high, low: latest!.low },
      { partition: 0, high: '10', low: '0' },
    )
    const [byTime] = await admin.fetchTopicOffsetsByTimestamp('offsets', baseTimestamp + 4)
    assert.equal(byTime, { partition: 0, offset: '4' })
    const [future] = await admin.fetchTopicOffsetsByTimestamp('offsets', baseTimestamp + 1_000_000)
    assert.equal(future, { partition: 0, offset: '10' })
  } finally {
    await admin.disconnect()
  }
})

test('Metadata v9 and v1 name this broker by its Kafka address, with leader epoch and ISR', async () => {
  const wire = await KafkaWire.connect(kafkaPort)
  for (const version of [9, 1]) {
    const metadata = await wire.call(Kafka.metadataApi, version, {
      topics: [{ name: 'acks-all' }, { name: 'no-such-topic' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })
    assert.equal(
      metadata.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })),
      [{ nodeId: 1, host: '127.0.0.1', port: kafkaPort }],
    )
    assert.is(metadata.controllerId, 1)
    const [known, unknown] = metadata.topics
    assert.is(known!.errorCode, 0)
    assert.is(known!.partitions[0]!.leaderId, 1)
    assert.equal(known!.partitions[0]!.isrNodes, [1])
    if (version === 9) assert.ok(known!.partitions[0]!.leaderEpoch! >= 1)
    assert.is(unknown!.errorCode, Kafka.KafkaErrorCodes.UNKNOWN_TOPIC_OR_PARTITION.code)
  }
  const every = await wire.call(Kafka.metadataApi, 9, {
    topics: null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  })
  assert.ok(every.topics.some((topic) => topic.name === 'acks-all'))
  assert.not.ok(
    every.topics.some((topic) => topic.name.startsWith('__')),
    'internal topics are not listed',
  )
  wire.close()
})

test('Produce to an unknown topic answers UNKNOWN_TOPIC_OR_PARTITION; a bad batch CORRUPT_MESSAGE', async () => {
  const wire = await KafkaWire.connect(kafkaPort)
  const batch = Kafka.weirBatchToKafka(
    encodeRecordBatch([{ value: Buffer.from('x') }], { timestamp: baseTimestamp }),
  )
  const answer = await wire.call(Kafka.produceApi, 7, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 10_000,
    topics: [
      { name: 'no-such-topic', partitions: [{ partitionIndex: 0, records: batch }] },
      {
        name: 'acks-leader',
        partitions: [{ partitionIndex: 0, records: batch.subarray(0, batch.length - 1) }],
      },
    ],
  })
  assert.is(
    answer.responses[0]!.partitions[0]!.errorCode,
    Kafka.KafkaErrorCodes.UNKNOWN_TOPIC_OR_PARTITION.code,
  )
  assert.is(answer.responses[1]!.partitions[0]!.errorCode, Kafka.KafkaErrorCodes.CORRUPT_MESSAGE.code)
  wire.close()
})

function fetchRequest(topic: string): Kafka.FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0,
            logStartOffset: -1,
            partitionMaxBytes: 1024 * 1024,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  }
}

test.run()
