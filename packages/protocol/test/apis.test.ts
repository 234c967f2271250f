// Proves every API's request and response survive encode → decode, and that decoders turn wrong shapes into INVALID_REQUEST naming the field.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ApiKeys,
  ApiVersions,
  apiByKey,
  apiDefinitions,
  CreatePartitions,
  CreateTopics,
  DeleteTopics,
  Fetch,
  InitProducerId,
  ListOffsets,
  Metadata,
  Produce,
} from '../src/apis/index.js'
import { decodeBody } from '../src/body-codec.js'
import { rejects, roundTrip } from './api-test-support.js'

const records = Buffer.from('batch bytes travel as msgpack bin')
const big = 2 ** 40 + 7

test('every API has a distinct key and is found by it', () => {
  const keys = apiDefinitions.map((api) => api.apiKey)
  assert.is(new Set(keys).size, keys.length)
  for (const [name, key] of Object.entries(ApiKeys)) assert.is(apiByKey(key)?.name, name)
  assert.is(apiByKey(999), undefined)
})

test('ApiVersions round trip', () => {
  roundTrip(
    ApiVersions,
    {},
    { errorCode: 0, brokerId: 1, apis: [{ apiKey: 0, versionMin: 0, versionMax: 0 }] },
  )
})

test('Metadata round trip, null topics meaning all', () => {
  roundTrip(
    Metadata,
    { topics: null },
    {
      errorCode: 0,
      brokers: [{ id: 1, host: '127.0.0.1', port: 7171 }],
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          config: { retentionMs: 86_400_000, fsync: 'always' },
          partitions: [
            { errorCode: 0, partition: 0, leader: 1, replicas: [1], logStartOffset: 0, highWatermark: big },
            // In a cluster: the in-sync replicas; absent while the answering broker knows no leader.
            {
              errorCode: 0,
              partition: 1,
              leader: 2,
              // The Raft term of that leader, for clients merging answers of several brokers.
              leaderEpoch: 7,
              replicas: [2, 3, 1],
              isr: [2, 1],
              logStartOffset: 0,
              highWatermark: 5,
            },
            {
              errorCode: 0,
              partition: 2,
              leader: -1,
              replicas: [3, 1, 2],
              logStartOffset: -1,
              highWatermark: -1,
            },
          ],
        },
      ],
    },
  )
  roundTrip(Metadata, { topics: ['a', 'b'] }, { errorCode: 0, brokers: [], controllerId: -1, topics: [] })
})

test('CreateTopics and DeleteTopics round trip', () => {
  roundTrip(
    CreateTopics,
    {
      validateOnly: false,
      topics: [{ name: 'orders', partitions: 6, replicationFactor: 1, config: { fsync: 100 } }],
    },
    { errorCode: 0, topics: [{ errorCode: 11, errorMessage: 'exists', name: 'orders' }] },
  )
  roundTrip(
    DeleteTopics,
    { topics: ['orders'] },
    { errorCode: 0, topics: [{ errorCode: 0, name: 'orders' }] },
  )
})

test('CreatePartitions round trip, and a count below 1 is refused', () => {
  roundTrip(
    CreatePartitions,
    { topics: [{ name: 'orders', count: 4 }], validateOnly: true },
    {
      errorCode: 0,
      topics: [
        { errorCode: 0, name: 'orders' },
        { errorCode: 13, errorMessage: 'topic payments has 4 partition(s)', name: 'payments' },
      ],
    },
  )
  rejects(() => CreatePartitions.decodeRequest({ topics: [{ name: 'orders', count: 0 }] }), /count/)
  assert.is(CreatePartitions.decodeRequest({ topics: [] }).validateOnly, false, 'absent: a real change')
  rejects(() => CreatePartitions.decodeRequest({ topics: [{ count: 2 }] }), /name/)
})

test('InitProducerId round trip; producerId up to 2^53 and an epoch that fits an i16', () => {
  roundTrip(InitProducerId, {}, { errorCode: 0, producerId: 7 * 2 ** 32 + 1000, producerEpoch: 0 })
  roundTrip(
    InitProducerId,
    { transactionalId: 'payments' },
    { errorCode: 0, producerId: 1, producerEpoch: 3 },
  )
  roundTrip(InitProducerId, {}, { errorCode: 28, errorMessage: 'busy', producerId: -1, producerEpoch: -1 })
  rejects(() => InitProducerId.decodeRequest({ transactionalId: 5 }), /InitProducerId\.transactionalId/)
  rejects(
    () => InitProducerId.decodeResponse({ producerId: 1, producerEpoch: 40_000 }),
    /InitProducerId\.producerEpoch/,
  )
  rejects(
    () => InitProducerId.decodeResponse({ producerId: 'x', producerEpoch: 0 }),
    /InitProducerId\.producerId/,
  )
  assert.equal(InitProducerId.decodeResponse({ errorCode: 23, errorMessage: 'unknown API' }), {
    errorCode: 23,
    errorMessage: 'unknown API',
    producerId: -1,
    producerEpoch: -1,
  })
})

test('Produce round trip keeps batch bytes and 64-bit-range offsets', () => {
  roundTrip(
    Produce,
    { acks: -1, timeoutMs: 30_000, topics: [{ name: 'orders', partitions: [{ partition: 3, records }] }] },
    {
      errorCode: 0,
      topics: [
        { name: 'orders', partitions: [{ errorCode: 0, partition: 3, baseOffset: big, logStartOffset: 0 }] },
      ],
    },
  )
})

test('Fetch and ListOffsets round trip', () => {
  roundTrip(
    Fetch,
    {
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{ name: 't', partitions: [{ partition: 0, fetchOffset: big, maxBytes: 4096 }] }],
    },
    {
      errorCode: 0,
      topics: [
        {
          name: 't',
          partitions: [{ errorCode: 0, partition: 0, highWatermark: big, logStartOffset: 0, records }],
        },
      ],
    },
  )
  roundTrip(
    ListOffsets,
    {
      topics: [
        {
          name: 't',
          partitions: [
            { partition: 0, timestamp: -2 },
            { partition: 1, timestamp: Date.now() },
          ],
        },
      ],
    },
    {
      errorCode: 0,
      topics: [{ name: 't', partitions: [{ errorCode: 0, partition: 0, offset: 5, timestamp: -1 }] }],
    },
  )
})

test('wrong shapes are INVALID_REQUEST naming the field path', () => {
  rejects(
    () =>
      Produce.decodeRequest({
        acks: -1,
        timeoutMs: 1,
        topics: [{ name: 't', partitions: [{ partition: 0, records: 'text' }] }],
      }),
    /Produce\.topics\[0\]\.partitions\[0\]\.records must be binary/,
  )
  rejects(() => Produce.decodeRequest({ acks: 7, timeoutMs: 1, topics: [] }), /Produce\.acks/)
  rejects(
    () => Fetch.decodeRequest({ maxWaitMs: -1, minBytes: 1, maxBytes: 1, topics: [] }),
    /Fetch\.maxWaitMs/,
  )
  rejects(() => Fetch.decodeRequest([1, 2]), /Fetch must be a map, got array/)
  rejects(() => Metadata.decodeRequest({ topics: [1] }), /Metadata\.topics\[0\] must be a string/)
  rejects(
    () => CreateTopics.decodeRequest({ topics: [{ name: 'x', partitions: 0, replicationFactor: 1 }] }),
    /partitions/,
  )
  rejects(() => ListOffsets.decodeRequest(null), /ListOffsets must be a map, got null/)
})

test('bytes that are not msgpack are INVALID_REQUEST', () => {
  rejects(() => decodeBody(Buffer.from([0x01, 0x02]), 'Fetch'), /not valid msgpack/)
  rejects(() => decodeBody(Buffer.from([0x92, 0x01]), 'Fetch'), /not valid msgpack/)
})

test('msgpack extensions (a bigint, a timestamp) are INVALID_REQUEST, at any depth; ext 0 (undefined) stays', () => {
  // { config: { retentionMs: <ext 0x42 bigint> } }: once a TypeError from JSON.stringify, answered UNKNOWN_SERVER_ERROR.
  const bigint = Buffer.from('81a6636f6e66696781ab726574656e74696f6e4d73d442ff', 'hex')
  rejects(() => decodeBody(bigint, 'CreateTopics'), /CreateTopics: body holds a bigint/)
  rejects(() => decodeBody(Buffer.from('91d6ff00000001', 'hex'), 'Fetch'), /body holds a timestamp/)
  assert.equal(decodeBody(Buffer.from('81a161d40000', 'hex'), 'Fetch'), { a: undefined })
  const nested = Buffer.concat([Buffer.alloc(1000, 0x91), Buffer.from('d442ff', 'hex')])
  rejects(() => decodeBody(nested, 'Fetch'), /bigint/)
  // Deeper than msgpackr's recursion can go: still a typed error.
  rejects(() => decodeBody(Buffer.alloc(1_000_000, 0x91), 'Fetch'), /not valid msgpack/)
})

test('an integer out of range is named by value', () => {
  rejects(
    () =>
      CreateTopics.decodeRequest({ topics: [{ name: 'x', partitions: 2_000_000, replicationFactor: 1 }] }),
    /partitions must be an integer from 1 to 1000000, got number 2000000/,
  )
})

test.run()
