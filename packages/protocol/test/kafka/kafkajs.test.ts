// Proves the codec reads requests exactly as KafkaJS 2.x (a client no one here wrote) encodes
// them, and that KafkaJS's own decoders read the responses we encode, records included.
import { createRequire } from 'node:module'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeRecordBatch, encodeRecordBatch, FrameReader, Kafka } from '../../src/index.js'

const require = createRequire(import.meta.url)
const kafkajs = 'kafkajs/src/protocol'
// biome-ignore lint/suspicious/noExplicitAny: KafkaJS internals are untyped JavaScript
type Untyped = any
const createRequest: Untyped = require(`${kafkajs}/request`)
const requestOfKafkaJs = (api: string, version: number): Untyped =>
  require(`${kafkajs}/requests/${api}/v${version}/request`)
const responseOfKafkaJs = (api: string, version: number): Untyped =>
  require(`${kafkajs}/requests/${api}/v${version}/response`)

/** The frame KafkaJS would write on the socket, and what our decoder makes of it. */
async function decodeKafkaJs(
  api: string,
  version: number,
  args: unknown,
): Promise<Kafka.DecodedKafkaRequest> {
  const request = requestOfKafkaJs(api, version)(args)
  const frame: Buffer = (await createRequest({ correlationId: 5, clientId: 'kafkajs', request })).buffer
  assert.is(frame.readInt32BE(0), frame.length - 4, 'size prefix')
  const decoded = Kafka.decodeKafkaRequest(frame.subarray(4))
  assert.is(decoded.kind, 'request', `${api} v${version}`)
  assert.equal(decoded.header, {
    apiKey: request.apiKey,
    apiVersion: version,
    correlationId: 5,
    clientId: 'kafkajs',
  })
  return decoded
}

/** Our response frame, read by KafkaJS's decoder for that version (it starts after the correlation id). */
async function kafkaJsReads<Response extends object>(
  api: Kafka.KafkaApi<unknown, Response>,
  name: string,
  version: number,
  response: Response,
): Promise<Untyped> {
  const frame = Kafka.encodeKafkaResponse(api, version, 5, response)
  return responseOfKafkaJs(name, version).decode(frame.subarray(8))
}

test('ApiVersions v0-v2: requests decode; KafkaJS reads our advertised versions', async () => {
  for (const version of [0, 1, 2]) {
    const decoded = await decodeKafkaJs('apiVersions', version, {})
    assert.equal(Kafka.requestOf(decoded, Kafka.apiVersionsApi), {
      clientSoftwareName: '',
      clientSoftwareVersion: '',
    })
    const read = await kafkaJsReads(Kafka.apiVersionsApi, 'apiVersions', version, {
      errorCode: 0,
      apiKeys: Kafka.advertisedApiVersions(),
    })
    assert.is(read.errorCode, 0)
    assert.equal(
      read.apiVersions.find((entry: Untyped) => entry.apiKey === 0),
      { apiKey: 0, minVersion: 3, maxVersion: 8 },
    )
    assert.is(read.apiVersions.length, 22)
  }
})

test('Metadata v0-v6: topics (all / some) decode; KafkaJS reads brokers and partitions', async () => {
  for (let version = 0; version <= 6; version++) {
    const decoded = await decodeKafkaJs('metadata', version, {
      topics: ['orders'],
      allowAutoTopicCreation: false,
    })
    const request = Kafka.requestOf(decoded, Kafka.metadataApi)!
    assert.equal(request.topics, [{ name: 'orders' }])
    assert.is(request.allowAutoTopicCreation, version < 4)
    const read = await kafkaJsReads(Kafka.metadataApi, 'metadata', version, {
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null }],
      clusterId: 'weir',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          isInternal: false,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 1,
              replicaNodes: [1],
              isrNodes: [1],
              offlineReplicas: [],
            },
          ],
        },
      ],
    })
    assert.equal(read.brokers[0].host, '127.0.0.1')
    assert.is(read.topicMetadata[0].topic, 'orders')
    assert.is(read.topicMetadata[0].partitionMetadata[0].leader, 1)
    if (version >= 2) assert.is(read.clusterId, 'weir')
  }
  // From v1 null means "all topics": KafkaJS sends its empty list as null there, [] in v0.
  const all = await decodeKafkaJs('metadata', 1, { topics: [] })
  assert.is(Kafka.requestOf(all, Kafka.metadataApi)!.topics, null)
  const allV0 = await decodeKafkaJs('metadata', 0, { topics: [] })
  assert.equal(Kafka.requestOf(allV0, Kafka.metadataApi)!.topics, [])
})

test('Produce v3-v7: a KafkaJS record batch becomes a Weir batch with the same records', async () => {
  for (let version = 3; version <= 7; version++) {
    const decoded = await decodeKafkaJs('produce', version, {
      acks: -1,
      timeout: 30_000,
      topicData: [
        {
          topic: 'orders',
          partitions: [
            {
              partition: 2,
              firstSequence: 0,
              messages: [
                { key: 'k1', value: 'v1', timestamp: 1_700_000_000_000, headers: { h: 'x' } },
                { key: null, value: 'v2', timestamp: 1_700_000_000_005 },
              ],
            },
          ],
        },
      ],
    })
    const request = Kafka.requestOf(decoded, Kafka.produceApi)!
    assert.is(request.acks, -1)
    assert.is(request.transactionalId, null)
    const partition = request.topics[0]!.partitions[0]!
    assert.is(partition.partitionIndex, 2)
    const weir = Kafka.kafkaBatchToWeir(partition.records!)
    const { header, records } = decodeRecordBatch(weir)
    assert.is(header.magic, 1)
    assert.equal(
      records.map((record) => [record.key?.toString() ?? null, record.value?.toString(), record.timestamp]),
      [
        ['k1', 'v1', 1_700_000_000_000],
        [null, 'v2', 1_700_000_000_005],
      ],
    )
    const read = await kafkaJsReads(Kafka.produceApi, 'produce', version, {
      responses: [
        {
          name: 'orders',
          partitions: [{ partitionIndex: 2, errorCode: 0, baseOffset: 41, logStartOffset: 0 }],
        },
      ],
      throttleTimeMs: 0,
    })
    assert.is(read.topics[0].partitions[0].baseOffset, '41')
  }
})

test('Fetch v4-v11: requests decode; KafkaJS reads the Weir batches we serve', async () => {
  const log = Buffer.concat([
    encodeRecordBatch([{ key: Buffer.from('a'), value: Buffer.from('1') }], {
      timestamp: 1000,
      baseOffset: 10,
    }),
    encodeRecordBatch(
      [
        { key: null, value: Buffer.from('2') },
        { key: Buffer.from('c'), value: Buffer.from('3') },
      ],
      { timestamp: 2000, baseOffset: 11 },
    ),
  ])
  for (let version = 4; version <= 11; version++) {
    const decoded = await decodeKafkaJs('fetch', version, {
      replicaId: -1,
      maxWaitTime: 500,
      minBytes: 1,
      maxBytes: 1_048_576,
      isolationLevel: 0,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '10', maxBytes: 65_536 }] }],
    })
    const request = Kafka.requestOf(decoded, Kafka.fetchApi)!
    assert.is(request.isolationLevel, 0)
    assert.equal(request.topics[0]!.partitions[0]!.fetchOffset, 10)
    assert.is(request.topics[0]!.partitions[0]!.partitionMaxBytes, 65_536)
    const read = await kafkaJsReads(Kafka.fetchApi, 'fetch', version, {
      responses: [
        {
          topic: 'orders',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 13,
              lastStableOffset: 13,
              logStartOffset: 0,
              abortedTransactions: null,
              records: Kafka.weirBatchesToKafka(log),
            },
          ],
        },
      ],
    })
    const messages = read.responses[0].partitions[0].messages
    assert.equal(
      messages.map((message: Untyped) => [
        message.offset,
        message.key?.toString() ?? null,
        message.value.toString(),
      ]),
      [
        ['10', 'a', '1'],
        ['11', null, '2'],
        ['12', 'c', '3'],
      ],
      `v${version}`,
    )
  }
})

test('group APIs: JoinGroup v0-v5, SyncGroup v0-v3, Heartbeat v0-v3, LeaveGroup v0-v3 decode', async () => {
  for (let version = 0; version <= 5; version++) {
    const decoded = await decodeKafkaJs('joinGroup', version, {
      groupId: 'g',
      sessionTimeout: 30_000,
      rebalanceTimeout: 60_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }],
    })
    const request = Kafka.requestOf(decoded, Kafka.joinGroupApi)!
    assert.is(request.sessionTimeoutMs, 30_000)
    assert.is(request.rebalanceTimeoutMs, version >= 1 ? 60_000 : -1)
    assert.equal(request.protocols[0]!.name, 'RoundRobinAssigner')
    assert.equal([...request.protocols[0]!.metadata], [0, 1, 2])
    const read = await kafkaJsReads(Kafka.joinGroupApi, 'joinGroup', version, {
      errorCode: 0,
      generationId: 3,
      protocolName: 'RoundRobinAssigner',
      leader: 'm-1',
      memberId: 'm-1',
      members: [{ memberId: 'm-1', groupInstanceId: null, metadata: Buffer.from([9]) }],
    })
    assert.is(read.generationId, 3)
    assert.is(read.leaderId, 'm-1')
    assert.equal([...read.members[0].memberMetadata], [9])
  }
  for (let version = 0; version <= 3; version++) {
    const sync = await decodeKafkaJs('syncGroup', version, {
      groupId: 'g',
      generationId: 3,
      memberId: 'm-1',
      groupAssignment: [{ memberId: 'm-1', memberAssignment: Buffer.from([7, 7]) }],
    })
    assert.equal([...Kafka.requestOf(sync, Kafka.syncGroupApi)!.assignments[0]!.assignment], [7, 7])
    const read = await kafkaJsReads(Kafka.syncGroupApi, 'syncGroup', version, {
      errorCode: 0,
      assignment: Buffer.from([1, 2, 3]),
    })
    assert.equal([...read.memberAssignment], [1, 2, 3])
    const heartbeat = await decodeKafkaJs('heartbeat', version, {
      groupId: 'g',
      groupGenerationId: 3,
      memberId: 'm-1',
    })
    assert.is(Kafka.requestOf(heartbeat, Kafka.heartbeatApi)!.generationId, 3)
    const leave = await decodeKafkaJs(
      'leaveGroup',
      version,
      version < 3 ? { groupId: 'g', memberId: 'm-1' } : { groupId: 'g', members: [{ memberId: 'm-1' }] },
    )
    const leaveRequest = Kafka.requestOf(leave, Kafka.leaveGroupApi)!
    if (version < 3) assert.is(leaveRequest.memberId, 'm-1')
    else assert.equal(leaveRequest.members, [{ memberId: 'm-1', groupInstanceId: null }])
  }
})

test('offsets: OffsetCommit v2-v5, OffsetFetch v1-v4, ListOffsets v1-v3 decode and answer', async () => {
  for (let version = 2; version <= 5; version++) {
    const decoded = await decodeKafkaJs('offsetCommit', version, {
      groupId: 'g',
      groupGenerationId: 3,
      memberId: 'm-1',
      retentionTime: -1,
      topics: [{ topic: 'orders', partitions: [{ partition: 1, offset: '42' }] }],
    })
    const request = Kafka.requestOf(decoded, Kafka.offsetCommitApi)!
    assert.equal(request.topics[0]!.partitions[0], {
      partitionIndex: 1,
      committedOffset: 42,
      committedLeaderEpoch: -1,
      committedMetadata: null,
    })
  }
  for (let version = 1; version <= 4; version++) {
    const decoded = await decodeKafkaJs('offsetFetch', version, {
      groupId: 'g',
      topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 1 }] }],
    })
    assert.equal(Kafka.requestOf(decoded, Kafka.offsetFetchApi)!.topics, [
      { name: 'orders', partitionIndexes: [0, 1] },
    ])
    const read = await kafkaJsReads(Kafka.offsetFetchApi, 'offsetFetch', version, {
      topics: [
        {
          name: 'orders',
          partitions: [{ partitionIndex: 0, committedOffset: 42, metadata: '', errorCode: 0 }],
        },
      ],
      errorCode: 0,
    })
    assert.is(read.responses[0].partitions[0].offset, '42')
  }
  for (let version = 1; version <= 3; version++) {
    const decoded = await decodeKafkaJs('listOffsets', version, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, timestamp: -2 }] }],
    })
    const request = Kafka.requestOf(decoded, Kafka.listOffsetsApi)!
    assert.is(request.topics[0]!.partitions[0]!.timestamp, Kafka.ListOffsetsTimestamp.earliest)
    const read = await kafkaJsReads(Kafka.listOffsetsApi, 'listOffsets', version, {
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 7 }] },
      ],
    })
    assert.is(read.responses[0].partitions[0].offset, '7')
  }
})

test('FindCoordinator v0-v2, InitProducerId v0-v1 and the SASL pair decode and answer', async () => {
  for (let version = 0; version <= 2; version++) {
    const decoded = await decodeKafkaJs('findCoordinator', version, {
      groupId: 'g',
      coordinatorKey: 'g',
      coordinatorType: 0,
    })
    assert.is(Kafka.requestOf(decoded, Kafka.findCoordinatorApi)!.key, 'g')
    const read = await kafkaJsReads(Kafka.findCoordinatorApi, 'findCoordinator', version, {
      errorCode: 0,
      nodeId: 2,
      host: 'broker-2',
      port: 9093,
    })
    assert.equal(read.coordinator, { nodeId: 2, host: 'broker-2', port: 9093 })
  }
  for (let version = 0; version <= 1; version++) {
    const decoded = await decodeKafkaJs('initProducerId', version, {
      transactionalId: null,
      transactionTimeout: 60_000,
    })
    assert.equal(Kafka.requestOf(decoded, Kafka.initProducerIdApi), {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
    })
    const read = await kafkaJsReads(Kafka.initProducerIdApi, 'initProducerId', version, {
      throttleTimeMs: 0,
      errorCode: 0,
      producerId: 1234,
      producerEpoch: 0,
    })
    assert.is(read.producerId, '1234')
    const handshake = await decodeKafkaJs('saslHandshake', version, { mechanism: 'SCRAM-SHA-256' })
    assert.is(Kafka.requestOf(handshake, Kafka.saslHandshakeApi)!.mechanism, 'SCRAM-SHA-256')
    // KafkaJS's mechanisms hand SaslAuthenticate their token already length-prefixed (BYTES).
    const token = Buffer.from('n,,n=u,r=abc')
    const lengthPrefix = Buffer.alloc(4)
    lengthPrefix.writeInt32BE(token.length)
    const authenticate = await decodeKafkaJs('saslAuthenticate', version, {
      authBytes: Buffer.concat([lengthPrefix, token]),
    })
    assert.is(Kafka.requestOf(authenticate, Kafka.saslAuthenticateApi)!.authBytes.toString(), 'n,,n=u,r=abc')
    const read2 = await kafkaJsReads(Kafka.saslAuthenticateApi, 'saslAuthenticate', version, {
      errorCode: 0,
      errorMessage: null,
      authBytes: Buffer.from('r=abcdef'),
    })
    // KafkaJS re-prefixes the token with its length for its mechanisms to read.
    assert.is(read2.authBytes.subarray(4).toString(), 'r=abcdef')
    assert.is(read2.authBytes.readInt32BE(0), 8)
  }
})

test('admin: CreateTopics v0-v3, DeleteTopics v0-v1, DescribeConfigs v0-v2 decode', async () => {
  for (let version = 0; version <= 3; version++) {
    const decoded = await decodeKafkaJs('createTopics', version, {
      topics: [
        {
          topic: 'orders',
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      timeout: 5000,
      validateOnly: false,
    })
    const request = Kafka.requestOf(decoded, Kafka.createTopicsApi)!
    assert.equal(request.topics[0], {
      name: 'orders',
      numPartitions: 3,
      replicationFactor: 1,
      assignments: [],
      configs: [{ name: 'cleanup.policy', value: 'compact' }],
    })
    const read = await kafkaJsReads(Kafka.createTopicsApi, 'createTopics', version, {
      topics: [{ name: 'orders', errorCode: 36, errorMessage: 'exists' }],
    })
    assert.is(read.topicErrors[0].errorCode, 36)
  }
  for (let version = 0; version <= 1; version++) {
    const decoded = await decodeKafkaJs('deleteTopics', version, { topics: ['a', 'b'], timeout: 5000 })
    assert.equal(Kafka.requestOf(decoded, Kafka.deleteTopicsApi), { topicNames: ['a', 'b'], timeoutMs: 5000 })
  }
  for (let version = 0; version <= 2; version++) {
    const decoded = await decodeKafkaJs('describeConfigs', version, {
      resources: [{ type: 2, name: 'orders', configNames: ['retention.ms'] }],
      includeSynonyms: false,
    })
    assert.equal(Kafka.requestOf(decoded, Kafka.describeConfigsApi)!.resources, [
      { resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms'] },
    ])
    const read = await kafkaJsReads(Kafka.describeConfigsApi, 'describeConfigs', version, {
      throttleTimeMs: 0,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 2,
          resourceName: 'orders',
          configs: [
            {
              name: 'retention.ms',
              value: '604800000',
              readOnly: false,
              isDefault: false,
              configSource: 1,
              isSensitive: false,
              synonyms: [],
            },
          ],
        },
      ],
    })
    assert.is(read.resources[0].configEntries[0].configValue, '604800000')
  }
})

test('group admin: ListGroups v0-v2, DescribeGroups v0-v2, DeleteGroups v0-v1, CreatePartitions v0-v1', async () => {
  for (let version = 0; version <= 2; version++) {
    const decoded = await decodeKafkaJs('listGroups', version, {})
    assert.equal(Kafka.requestOf(decoded, Kafka.listGroupsApi), {})
    const read = await kafkaJsReads(Kafka.listGroupsApi, 'listGroups', version, {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: [{ groupId: 'billing', protocolType: 'consumer' }],
    })
    assert.equal(read.groups, [{ groupId: 'billing', protocolType: 'consumer' }])
  }
  for (let version = 0; version <= 2; version++) {
    const decoded = await decodeKafkaJs('describeGroups', version, { groupIds: ['billing', 'audit'] })
    assert.equal(Kafka.requestOf(decoded, Kafka.describeGroupsApi), {
      groups: ['billing', 'audit'],
      includeAuthorizedOperations: false,
    })
    const read = await kafkaJsReads(Kafka.describeGroupsApi, 'describeGroups', version, {
      throttleTimeMs: 0,
      groups: [
        {
          errorCode: 0,
          groupId: 'billing',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'range',
          members: [
            {
              memberId: 'm-1',
              clientId: 'app',
              clientHost: '/127.0.0.1',
              memberMetadata: Buffer.from([1, 2]),
              memberAssignment: Buffer.from([3]),
            },
          ],
        },
      ],
    })
    const group = read.groups[0]
    assert.equal(
      [group.groupId, group.state, group.protocolType, group.protocol],
      ['billing', 'Stable', 'consumer', 'range'],
    )
    assert.equal([...group.members[0].memberAssignment], [3])
    assert.equal([...group.members[0].memberMetadata], [1, 2])
    assert.is(group.members[0].clientHost, '/127.0.0.1')
  }
  for (let version = 0; version <= 1; version++) {
    const decoded = await decodeKafkaJs('deleteGroups', version, ['billing', 'audit'])
    assert.equal(Kafka.requestOf(decoded, Kafka.deleteGroupsApi), { groupsNames: ['billing', 'audit'] })
    const read = await kafkaJsReads(Kafka.deleteGroupsApi, 'deleteGroups', version, {
      throttleTimeMs: 0,
      results: [
        { groupId: 'billing', errorCode: 0 },
        { groupId: 'audit', errorCode: Kafka.KafkaErrorCodes.NON_EMPTY_GROUP.code },
      ],
    })
    assert.equal(
      read.results.map((result: Untyped) => [result.groupId, result.errorCode]),
      [
        ['billing', 0],
        ['audit', 68],
      ],
    )
  }
  for (let version = 0; version <= 1; version++) {
    const decoded = await decodeKafkaJs('createPartitions', version, {
      topicPartitions: [
        { topic: 'orders', count: 5 },
        { topic: 'audit', count: 3, assignments: [[1], [2]] },
      ],
      validateOnly: true,
      timeout: 4000,
    })
    assert.equal(Kafka.requestOf(decoded, Kafka.createPartitionsApi), {
      topics: [
        // KafkaJS sends no assignments as a null array, as Kafka's own admin client does.
        { name: 'orders', count: 5, assignments: null },
        { name: 'audit', count: 3, assignments: [{ brokerIds: [1] }, { brokerIds: [2] }] },
      ],
      timeoutMs: 4000,
      validateOnly: true,
    })
    const read = await kafkaJsReads(Kafka.createPartitionsApi, 'createPartitions', version, {
      throttleTimeMs: 0,
      results: [{ name: 'orders', errorCode: 37, errorMessage: 'too few' }],
    })
    assert.equal(read.topicErrors, [{ topic: 'orders', errorCode: 37, errorMessage: 'too few' }])
  }
})

test('a KafkaJS frame fed one byte at a time through the shared FrameReader decodes whole', async () => {
  const request = requestOfKafkaJs(
    'produce',
    7,
  )({
    acks: 1,
    timeout: 1000,
    topicData: [
      { topic: 't', partitions: [{ partition: 0, firstSequence: 0, messages: [{ key: 'k', value: 'v' }] }] },
    ],
  })
  const frame: Buffer = (await createRequest({ correlationId: 8, clientId: 'kafkajs', request })).buffer
  const reader = new FrameReader(1024 * 1024, 10)
  const frames: Buffer[] = []
  for (let index = 0; index < frame.length; index++)
    frames.push(...reader.push(frame.subarray(index, index + 1)))
  assert.is(frames.length, 1)
  const produce = Kafka.requestOf(Kafka.decodeKafkaRequest(frames[0]!), Kafka.produceApi)!
  const { records } = decodeRecordBatch(Kafka.kafkaBatchToWeir(produce.topics[0]!.partitions[0]!.records!))
  assert.is(records[0]!.value?.toString(), 'v')
})

test.run()
