// Proves byte-exact layouts, built by hand from the Kafka protocol guide, for what KafkaJS cannot
// produce: the flexible versions librdkafka 2.x sends (ApiVersions v3, Metadata v9,
// FindCoordinator v3, InitProducerId v2) and the UNSUPPORTED_VERSION answer to a too-new ApiVersions.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Kafka } from '../../src/index.js'

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex')
const rdkafka = '0007 72646b61666b61' // client id "rdkafka", INT16 length even in header v2

test('ApiVersions v3 as librdkafka sends it: header v2, compact strings, tagged fields skipped', () => {
  const frame = hex(`
    0012 0003 00000001 ${rdkafka} 00
    0b 6c69627264 6b61666b61
    06 322e332e30
    01 05 02 abcd`) // one unknown tagged field (tag 5, 2 bytes): skipped
  const decoded = Kafka.decodeKafkaRequest(frame)
  assert.equal(decoded.header, { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' })
  assert.equal(Kafka.requestOf(decoded, Kafka.apiVersionsApi), {
    clientSoftwareName: 'librdkafka',
    clientSoftwareVersion: '2.3.0',
  })
})

test('ApiVersions v3 response: response header v0 (no tags), compact array, tagged-field ends', () => {
  const frame = Kafka.encodeKafkaResponse(Kafka.apiVersionsApi, 3, 1, {
    errorCode: 0,
    apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }],
    throttleTimeMs: 0,
  })
  assert.is(
    frame.toString('hex'),
    hex('00000013 00000001 0000 02 0012 0000 0003 00 00000000 00').toString('hex'),
  )
})

test('a too-new ApiVersions gets a v0 body: UNSUPPORTED_VERSION (35) and our ApiVersions range', () => {
  const decoded = Kafka.decodeKafkaRequest(hex(`0012 0004 00000009 ${rdkafka} 00 00 00 00`))
  assert.is(decoded.kind, 'unsupported-version')
  const frame = Kafka.unsupportedApiVersionsResponse(decoded.header.correlationId)
  assert.is(frame.toString('hex'), hex('00000010 00000009 0023 00000001 0012 0000 0003').toString('hex'))
})

test('Metadata v9 request and response in the flexible layout', () => {
  const request = Kafka.decodeKafkaRequest(hex(`0003 0009 00000002 ${rdkafka} 00  02 02 74 00  01 00 00 00`))
  assert.equal(Kafka.requestOf(request, Kafka.metadataApi), {
    topics: [{ name: 't' }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  })
  const response = Kafka.encodeKafkaResponse(Kafka.metadataApi, 9, 2, {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: 'h', port: 9092, rack: null }],
    clusterId: null,
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: 't',
        isInternal: false,
        partitions: [
          {
            errorCode: 0,
            partitionIndex: 0,
            leaderId: 1,
            leaderEpoch: 0,
            replicaNodes: [1],
            isrNodes: [1],
            offlineReplicas: [],
          },
        ],
      },
    ],
  })
  const expected = hex(`
    00000000 00000002 00
    00000000
    02 00000001 02 68 00002384 00 00
    00
    00000001
    02 0000 02 74 00
       02 0000 00000000 00000001 00000000 02 00000001 02 00000001 01 00
       80000000 00
    80000000 00`)
  expected.writeInt32BE(expected.length - 4, 0)
  assert.is(response.toString('hex'), expected.toString('hex'))
})

test('FindCoordinator v3 and InitProducerId v2: the flexible versions clients insist on', () => {
  const find = Kafka.decodeKafkaRequest(hex(`000a 0003 00000003 ${rdkafka} 00  02 67 00 00`))
  assert.equal(Kafka.requestOf(find, Kafka.findCoordinatorApi), { key: 'g', keyType: 0 })
  const coordinator = Kafka.encodeKafkaResponse(Kafka.findCoordinatorApi, 3, 3, {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId: 1,
    host: 'h',
    port: 9092,
  })
  assert.is(
    coordinator.toString('hex'),
    hex('00000017 00000003 00 00000000 0000 00 00000001 02 68 00002384 00').toString('hex'),
  )
  const init = Kafka.decodeKafkaRequest(hex(`0016 0002 00000004 ${rdkafka} 00  00 0000ea60 00`))
  assert.equal(Kafka.requestOf(init, Kafka.initProducerIdApi), {
    transactionalId: null,
    transactionTimeoutMs: 60_000,
  })
})

test('header versions: flexible APIs use request header v2 and response header v1, ApiVersions v0', () => {
  assert.is(Kafka.requestHeaderVersion(Kafka.metadataApi, 8), 1)
  assert.is(Kafka.requestHeaderVersion(Kafka.metadataApi, 9), 2)
  assert.is(Kafka.responseHeaderVersion(Kafka.metadataApi, 9), 1)
  assert.is(Kafka.requestHeaderVersion(Kafka.apiVersionsApi, 3), 2)
  assert.is(Kafka.responseHeaderVersion(Kafka.apiVersionsApi, 3), 0)
  assert.is(Kafka.responseHeaderVersion(Kafka.produceApi, 8), 0)
})

test.run()
