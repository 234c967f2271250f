// Proves the Kafka listener's group APIs over real sockets against an in-process broker, at the
// versions Kafka clients send: FindCoordinator names the Kafka address (transactions refused),
// a first JoinGroup v5 gets its member id at once, join/sync/heartbeat/commit/fetch/leave go
// through the native coordinator, simple commits work, Kafka consumers are stored as
// 'kafka:consumer' and never share a group with Weir's, the chosen protocol is one every member
// offers, a static member restarts without a rebalance, and the native group ACLs apply.
import {
  DescribeGroups,
  ErrorCodes,
  encodeConsumerSubscription,
  JoinGroup,
  Kafka,
  type JoinGroupResponse as NativeJoinGroupResponse,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { createTopic, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'
import { KafkaWire } from './kafka-wire.js'

const codes = Kafka.KafkaErrorCodes
const sessionTimeoutMs = 10_000
const rebalanceTimeoutMs = 20_000
let broker: Broker
let port: number
const wires: KafkaWire[] = []

test.before(async () => {
  broker = await startBroker({
    kafkaListen: '127.0.0.1:0',
    // Members joining within 2 s of each other land in one generation, however loaded the machine.
    groups: { offsetsPartitions: 2, limits: { initialRebalanceDelayMs: 2000 } },
  })
  await broker.groups.loaded
  port = broker.kafkaAddress!.port
  const admin = await WireClient.connect(broker.address.port)
  await createTopic(admin, 'orders', 3)
  await admin.close()
})

test.after(async () => {
  for (const wire of wires) wire.close()
  await broker.close()
  removeTempDirectories()
})

async function wire(): Promise<KafkaWire> {
  const opened = await KafkaWire.connect(port)
  wires.push(opened)
  return opened
}

function subscription(topics: string[]): Buffer {
  return Kafka.encodeConsumerProtocolSubscription({
    version: 1,
    topics,
    userData: null,
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  })
}

function join(
  connection: KafkaWire,
  groupId: string,
  protocols: string[] = ['roundrobin'],
  memberId = '',
): Promise<Kafka.JoinGroupResponse> {
  return connection.call(Kafka.joinGroupApi, 5, {
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: protocols.map((name) => ({ name, metadata: subscription(['orders']) })),
  })
}

function assignment(partitions: number[]): Buffer {
  return Kafka.encodeConsumerProtocolAssignment({
    version: 0,
    partitions: [{ topic: 'orders', partitions }],
    userData: null,
  })
}

test('FindCoordinator v0-v3 names this broker at its Kafka address; a transactional id is refused', async () => {
  const connection = await wire()
  for (const version of [0, 1, 2, 3]) {
    const answer = await connection.call(Kafka.findCoordinatorApi, version, { key: 'g-find', keyType: 0 })
    assert.is(answer.errorCode, 0, `v${version}`)
    assert.is(answer.nodeId, 1)
    assert.is(answer.port, broker.kafkaAddress!.port, 'the Kafka port, not the native one')
    assert.is.not(answer.port, broker.address.port)
  }
  const transaction = await connection.call(Kafka.findCoordinatorApi, 3, { key: 'tx-1', keyType: 1 })
  assert.is(transaction.errorCode, codes.COORDINATOR_NOT_AVAILABLE.code)
  assert.match(transaction.errorMessage ?? '', /does not support transactions/)
  const unknown = await connection.call(Kafka.findCoordinatorApi, 2, { key: 'x', keyType: 7 })
  assert.is(unknown.errorCode, codes.INVALID_REQUEST.code)
})

test('join (member id at once, no MEMBER_ID_REQUIRED), sync, heartbeat, commit, fetch and leave', async () => {
  const groupId = 'g-cycle'
  const [first, second] = [await wire(), await wire()]
  const [a, b] = await Promise.all([join(first, groupId), join(second, groupId)])
  for (const answer of [a, b]) {
    assert.is(answer.errorCode, 0)
    assert.ok(answer.memberId.length > 0, 'the member id comes with the first answer')
    assert.is(answer.protocolName, 'roundrobin')
  }
  assert.is(a.generationId, b.generationId)
  const leader = a.leader === a.memberId ? a : b
  assert.is(leader.members.length, 2)
  assert.equal(
    Kafka.decodeConsumerProtocolSubscription(leader.members[0]!.metadata).topics,
    ['orders'],
    "the members' metadata comes back as sent",
  )
  const plan = [
    { memberId: a.memberId, assignment: assignment([0, 1]) },
    { memberId: b.memberId, assignment: assignment([2]) },
  ]
  const sync = (connection: KafkaWire, answer: Kafka.JoinGroupResponse) =>
    connection.call(Kafka.syncGroupApi, 3, {
      groupId,
      generationId: answer.generationId,
      memberId: answer.memberId,
      groupInstanceId: null,
      assignments: answer === leader ? plan : [],
    })
  const [syncA, syncB] = await Promise.all([sync(first, a), sync(second, b)])
  assert.equal(Kafka.decodeConsumerProtocolAssignment(syncA.assignment).partitions, [
    { topic: 'orders', partitions: [0, 1] },
  ])
  assert.equal(Kafka.decodeConsumerProtocolAssignment(syncB.assignment).partitions, [
    { topic: 'orders', partitions: [2] },
  ])
  const heartbeat = (generationId: number) =>
    first.call(Kafka.heartbeatApi, 3, { groupId, generationId, memberId: a.memberId, groupInstanceId: null })
  assert.is((await heartbeat(a.generationId)).errorCode, 0)
  assert.is((await heartbeat(a.generationId + 5)).errorCode, codes.ILLEGAL_GENERATION.code)

  const commit = await first.call(Kafka.offsetCommitApi, 7, {
    groupId,
    generationId: a.generationId,
    memberId: a.memberId,
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: 'm' },
          { partitionIndex: 9, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null },
        ],
      },
    ],
  })
  assert.equal(commit.topics[0]!.partitions, [
    { partitionIndex: 0, errorCode: 0 },
    { partitionIndex: 9, errorCode: codes.UNKNOWN_TOPIC_OR_PARTITION.code },
  ])
  const stale = await first.call(Kafka.offsetCommitApi, 2, {
    groupId,
    generationId: a.generationId + 1,
    memberId: a.memberId,
    groupInstanceId: null,
    retentionTimeMs: 86_400_000,
    topics: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 1, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: '' },
        ],
      },
    ],
  })
  assert.is(stale.topics[0]!.partitions[0]!.errorCode, codes.ILLEGAL_GENERATION.code)

  const fetched = await second.call(Kafka.offsetFetchApi, 5, {
    groupId,
    topics: [{ name: 'orders', partitionIndexes: [0, 1] }],
  })
  assert.is(fetched.errorCode, 0)
  assert.equal(fetched.topics[0]!.partitions, [
    { partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, metadata: 'm', errorCode: 0 },
    { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
  ])

  const leaveV3 = await second.call(Kafka.leaveGroupApi, 3, {
    groupId,
    memberId: '',
    members: [
      { memberId: b.memberId, groupInstanceId: null },
      { memberId: 'nobody', groupInstanceId: null },
    ],
  })
  assert.is(leaveV3.errorCode, 0)
  assert.equal(
    leaveV3.members?.map((member) => member.errorCode),
    [0, codes.UNKNOWN_MEMBER_ID.code],
  )
  assert.is((await heartbeat(a.generationId)).errorCode, codes.REBALANCE_IN_PROGRESS.code)
  const leaveV1 = await first.call(Kafka.leaveGroupApi, 1, { groupId, memberId: a.memberId, members: [] })
  assert.is(leaveV1.errorCode, 0)
  const again = await first.call(Kafka.leaveGroupApi, 0, { groupId, memberId: a.memberId, members: [] })
  assert.is(again.errorCode, codes.UNKNOWN_MEMBER_ID.code, 'v0-2 carry the member’s own error')
})

test('a simple commit (generation -1, no member id) and OffsetFetch of every partition (null topics)', async () => {
  const connection = await wire()
  const groupId = 'g-simple'
  const commit = await connection.call(Kafka.offsetCommitApi, 5, {
    groupId,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 2, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: null },
        ],
      },
    ],
  })
  assert.is(commit.topics[0]!.partitions[0]!.errorCode, 0)
  const all = await connection.call(Kafka.offsetFetchApi, 3, { groupId, topics: null })
  assert.equal(all.topics, [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 2, committedOffset: 7, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
      ],
    },
  ])
  const v1 = await connection.call(Kafka.offsetFetchApi, 1, {
    groupId,
    topics: [{ name: 'orders', partitionIndexes: [2] }],
  })
  assert.is(v1.topics[0]!.partitions[0]!.committedOffset, 7)
})

test("a Kafka group is stored as 'kafka:consumer': a Weir consumer joining it gets INCONSISTENT_GROUP_PROTOCOL, and the other way round", async () => {
  const kafkaGroup = 'g-kafka-first'
  const connection = await wire()
  const joined = await join(connection, kafkaGroup)
  assert.is(joined.errorCode, 0)
  const native = await WireClient.connect(broker.address.port)
  const weirJoin = (groupId: string): Promise<NativeJoinGroupResponse> =>
    native.call(JoinGroup, {
      groupId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      memberId: '',
      protocolType: 'consumer',
      protocols: [
        {
          name: 'roundrobin',
          metadata: encodeConsumerSubscription({
            topics: ['orders'],
            ownedPartitions: new Map(),
            generationId: -1,
          }),
        },
      ],
    })
  const refused = await weirJoin(kafkaGroup)
  assert.is(refused.errorCode, ErrorCodes.INCONSISTENT_GROUP_PROTOCOL.code)
  const described = await native.call(DescribeGroups, { groups: [kafkaGroup] })
  assert.is(described.groups[0]!.protocolType, 'kafka:consumer')

  const weirGroup = 'g-weir-first'
  const weirAnswer = await weirJoin(weirGroup)
  assert.is(weirAnswer.errorCode ?? 0, 0)
  const kafkaRefused = await join(await wire(), weirGroup)
  assert.is(kafkaRefused.errorCode, codes.INCONSISTENT_GROUP_PROTOCOL.code)
  await native.close()
})

test('the coordinator picks a protocol every member offers, custom names included, carried opaquely', async () => {
  const groupId = 'g-custom'
  const [first, second] = [await wire(), await wire()]
  const [a, b] = await Promise.all([
    join(first, groupId, ['my-own-assignor', 'roundrobin']),
    join(second, groupId, ['range', 'my-own-assignor']),
  ])
  assert.is(a.protocolName, 'my-own-assignor')
  assert.is(b.protocolName, 'my-own-assignor')
  const third = await join(await wire(), groupId, ['cooperative-sticky'])
  assert.is(third.errorCode, codes.INCONSISTENT_GROUP_PROTOCOL.code, 'no protocol in common')
})

test('Kafka Connect style protocol types are carried as they are', async () => {
  const connection = await wire()
  const metadata = Buffer.from('opaque worker config')
  const answer = await connection.call(Kafka.joinGroupApi, 2, {
    groupId: 'g-connect',
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'connect',
    protocols: [{ name: 'sessioned', metadata }],
  })
  assert.is(answer.errorCode, 0)
  assert.equal(Buffer.from(answer.members[0]!.metadata), metadata)
  const native = await WireClient.connect(broker.address.port)
  const described = await native.call(DescribeGroups, { groups: ['g-connect'] })
  assert.is(described.groups[0]!.protocolType, 'connect')
  await native.close()
})

test('a bad request (an empty group id) is INVALID_REQUEST from the native checks, and the connection goes on', async () => {
  const connection = await wire()
  const answer = await connection.call(Kafka.heartbeatApi, 0, {
    groupId: '',
    generationId: 1,
    memberId: 'x',
    groupInstanceId: null,
  })
  assert.is(answer.errorCode, codes.INVALID_REQUEST.code)
  const after = await connection.call(Kafka.findCoordinatorApi, 0, { key: 'g', keyType: 0 })
  assert.is(after.errorCode, 0)
})

test('a static member (JoinGroup v5 groupInstanceId) restarting keeps its generation and gets its assignment back', async () => {
  const groupId = 'g-static'
  const staticJoin = (connection: KafkaWire) =>
    connection.call(Kafka.joinGroupApi, 5, {
      groupId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      memberId: '',
      groupInstanceId: 'pod-1',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription(['orders']) }],
    })
  const first = await staticJoin(await wire())
  assert.is(first.errorCode, 0)
  const synced = await (await wire()).call(Kafka.syncGroupApi, 3, {
    groupId,
    generationId: first.generationId,
    memberId: first.memberId,
    groupInstanceId: 'pod-1',
    assignments: [{ memberId: first.memberId, assignment: assignment([0, 1, 2]) }],
  })
  assert.is(synced.errorCode, 0)
  const restarted = await wire()
  const again = await staticJoin(restarted)
  assert.is(again.errorCode, 0)
  assert.is(again.generationId, first.generationId, 'no rebalance')
  assert.is(again.leader, again.memberId)
  assert.equal(again.members, [], 'a leader that must not reassign gets no members (Kafka before v9)')
  const back = await restarted.call(Kafka.syncGroupApi, 3, {
    groupId,
    generationId: again.generationId,
    memberId: again.memberId,
    groupInstanceId: 'pod-1',
    assignments: [],
  })
  assert.equal(Kafka.decodeConsumerProtocolAssignment(back.assignment).partitions, [
    { topic: 'orders', partitions: [0, 1, 2] },
  ])
  const fenced = await restarted.call(Kafka.heartbeatApi, 3, {
    groupId,
    generationId: first.generationId,
    memberId: first.memberId,
    groupInstanceId: 'pod-1',
  })
  assert.is(fenced.errorCode, codes.FENCED_INSTANCE_ID.code)
})

test('with ACLs on and no bindings, the native Group ACL checks refuse Kafka group requests', async () => {
  const locked = await startBroker({ kafkaListen: '127.0.0.1:0', authorizer: 'acl' })
  try {
    const connection = await KafkaWire.connect(locked.kafkaAddress!.port)
    wires.push(connection)
    const found = await connection.call(Kafka.findCoordinatorApi, 1, { key: 'g-locked', keyType: 0 })
    assert.is(found.errorCode, codes.GROUP_AUTHORIZATION_FAILED.code)
    const joined = await join(connection, 'g-locked')
    assert.is(joined.errorCode, codes.GROUP_AUTHORIZATION_FAILED.code)
    const fetched = await connection.call(Kafka.offsetFetchApi, 2, { groupId: 'g-locked', topics: null })
    assert.is(fetched.errorCode, codes.GROUP_AUTHORIZATION_FAILED.code)
  } finally {
    await locked.close()
  }
})

test('a JoinGroup held longer than requestTimeoutMs is answered, not timed out: its budget grows by the native waitMs', async () => {
  // The first join of an empty group is held for the initial rebalance delay, three times the
  // request timeout here, so without the extension the listener would answer REQUEST_TIMED_OUT.
  const held = await startBroker({
    kafkaListen: '127.0.0.1:0',
    limits: { requestTimeoutMs: 500 },
    groups: { offsetsPartitions: 1, limits: { initialRebalanceDelayMs: 1500 } },
  })
  try {
    await held.groups.loaded
    const connection = await KafkaWire.connect(held.kafkaAddress!.port)
    wires.push(connection)
    const joined = await join(connection, 'g-held')
    assert.is(joined.errorCode, 0)
    assert.is(joined.generationId, 1)
  } finally {
    await held.close()
  }
})

test.run()
