// Proves the Kafka group handlers' pure translations: Kafka requests become native requests that
// pass the native checks (and fail them the same way), native answers become Kafka answers with
// Kafka's error codes, per version where the shapes differ (LeaveGroup v0-2 vs v3, OffsetFetch
// v1's per-partition errors), and FindCoordinator's key types and Kafka addresses.
import { ErrorCodes, isWeirError, JoinGroup, Kafka } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { kafkaFindCoordinatorResponse, keyTypeRefusal } from '../../src/kafka/handlers/find-coordinator.js'
import { kafkaJoinGroupResponse, nativeJoinGroupBody } from '../../src/kafka/handlers/join-group.js'
import { kafkaLeaveGroupResponse, nativeLeaveGroupBody } from '../../src/kafka/handlers/leave-group.js'
import { kafkaOffsetCommitResponse, nativeOffsetCommitBody } from '../../src/kafka/handlers/offset-commit.js'
import { kafkaOffsetFetchResponse } from '../../src/kafka/handlers/offset-fetch.js'

const weir = ErrorCodes
const kafka = Kafka.KafkaErrorCodes

const kafkaJoin: Kafka.JoinGroupRequest = {
  groupId: 'g',
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: -1,
  memberId: '',
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.from([0, 0]) }],
}

test("JoinGroup: 'consumer' is stored as 'kafka:consumer', v0's missing rebalance timeout is the session's, nulls are dropped", () => {
  const native = JoinGroup.decodeRequest(nativeJoinGroupBody(kafkaJoin, 'kafkajs'))
  assert.equal(native, {
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    protocolType: 'kafka:consumer',
    protocols: [{ name: 'range', metadata: Buffer.from([0, 0]) }],
    clientId: 'kafkajs',
  })
  const staticMember = JoinGroup.decodeRequest(
    nativeJoinGroupBody({ ...kafkaJoin, protocolType: 'connect', groupInstanceId: 'pod-1' }, null),
  )
  assert.is(staticMember.protocolType, 'connect')
  assert.is(staticMember.groupInstanceId, 'pod-1')
  assert.is(staticMember.clientId, undefined)
})

test('a Kafka request the native checks refuse is INVALID_REQUEST naming the field', () => {
  try {
    JoinGroup.decodeRequest(nativeJoinGroupBody({ ...kafkaJoin, groupId: 'x'.repeat(256) }, null))
    assert.unreachable('a 256-character group id passed')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_REQUEST'))
    assert.match((error as Error).message, /JoinGroup\.groupId/)
  }
})

test('JoinGroup answers carry Kafka codes and null instance ids', () => {
  assert.equal(
    kafkaJoinGroupResponse({
      errorCode: weir.INCONSISTENT_GROUP_PROTOCOL.code,
      generationId: -1,
      leader: '',
      memberId: '',
      members: [],
    }),
    {
      throttleTimeMs: 0,
      errorCode: kafka.INCONSISTENT_GROUP_PROTOCOL.code,
      generationId: -1,
      protocolName: '',
      leader: '',
      memberId: '',
      members: [],
    },
  )
  const ok = kafkaJoinGroupResponse({
    generationId: 3,
    protocolType: 'kafka:consumer',
    protocolName: 'range',
    leader: 'a',
    memberId: 'a',
    skipAssignment: false,
    members: [
      { memberId: 'a', metadata: Buffer.from('1') },
      { memberId: 'b', groupInstanceId: 'pod-b', metadata: Buffer.from('2') },
    ],
  })
  assert.is(ok.errorCode, 0)
  assert.equal(
    ok.members.map((member) => member.groupInstanceId),
    [null, 'pod-b'],
  )
})

test('LeaveGroup: v0-2 leave one member and answer its own error; v3 answers each member', () => {
  const request: Kafka.LeaveGroupRequest = {
    groupId: 'g',
    memberId: 'a',
    members: [
      { memberId: 'b', groupInstanceId: null },
      { memberId: '', groupInstanceId: 'pod-c' },
    ],
  }
  assert.equal(nativeLeaveGroupBody(request, 2), { groupId: 'g', members: [{ memberId: 'a' }] })
  assert.equal(nativeLeaveGroupBody(request, 3), {
    groupId: 'g',
    members: [
      { memberId: 'b', groupInstanceId: undefined },
      { memberId: '', groupInstanceId: 'pod-c' },
    ],
  })
  const native = {
    members: [
      { memberId: 'b', errorCode: weir.UNKNOWN_MEMBER_ID.code },
      { memberId: 'c', groupInstanceId: 'pod-c', errorCode: 0 },
    ],
  }
  assert.equal(kafkaLeaveGroupResponse(native, 1), {
    throttleTimeMs: 0,
    errorCode: kafka.UNKNOWN_MEMBER_ID.code,
  })
  assert.equal(kafkaLeaveGroupResponse(native, 3), {
    throttleTimeMs: 0,
    errorCode: 0,
    members: [
      { memberId: 'b', groupInstanceId: null, errorCode: kafka.UNKNOWN_MEMBER_ID.code },
      { memberId: 'c', groupInstanceId: 'pod-c', errorCode: 0 },
    ],
  })
})

test('OffsetCommit: every asked partition answered in request order, a whole-request error on each', () => {
  const request: Kafka.OffsetCommitRequest = {
    groupId: 'g',
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: 60_000,
    topics: [
      {
        name: 't',
        partitions: [
          { partitionIndex: 1, committedOffset: 10, committedLeaderEpoch: 4, committedMetadata: null },
          { partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: 'm' },
        ],
      },
    ],
  }
  assert.equal(nativeOffsetCommitBody(request).topics, [
    {
      name: 't',
      partitions: [
        { partition: 1, offset: 10, metadata: undefined },
        { partition: 0, offset: 5, metadata: 'm' },
      ],
    },
  ])
  const partly = kafkaOffsetCommitResponse(request, {
    topics: [
      {
        name: 't',
        partitions: [
          { partition: 0, errorCode: weir.UNKNOWN_PARTITION.code },
          { partition: 1, errorCode: 0 },
        ],
      },
    ],
  })
  assert.equal(partly.topics[0]!.partitions, [
    { partitionIndex: 1, errorCode: 0 },
    { partitionIndex: 0, errorCode: kafka.UNKNOWN_TOPIC_OR_PARTITION.code },
  ])
  const whole = kafkaOffsetCommitResponse(request, {
    errorCode: weir.COORDINATOR_LOAD_IN_PROGRESS.code,
    topics: [],
  })
  assert.equal(
    whole.topics[0]!.partitions.map((partition) => partition.errorCode),
    [kafka.COORDINATOR_LOAD_IN_PROGRESS.code, kafka.COORDINATOR_LOAD_IN_PROGRESS.code],
  )
})

test('OffsetFetch: offsets as committed (-1 for none), a whole-request error also on each partition (v1 has no other place)', () => {
  const answer = kafkaOffsetFetchResponse({
    errorCode: weir.GROUP_AUTHORIZATION_FAILED.code,
    topics: [{ name: 't', partitions: [{ partition: 0, offset: -1, metadata: '', errorCode: 0 }] }],
  })
  assert.equal(answer, {
    throttleTimeMs: 0,
    errorCode: kafka.GROUP_AUTHORIZATION_FAILED.code,
    topics: [
      {
        name: 't',
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: -1,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: kafka.GROUP_AUTHORIZATION_FAILED.code,
          },
        ],
      },
    ],
  })
})

test('FindCoordinator: groups pass, transactions and unknown key types are refused; the Kafka address replaces the native one', () => {
  assert.is(keyTypeRefusal({ key: 'g', keyType: 0 }), undefined)
  assert.is(keyTypeRefusal({ key: 'tx', keyType: 1 })?.errorCode, kafka.COORDINATOR_NOT_AVAILABLE.code)
  assert.is(keyTypeRefusal({ key: 'x', keyType: 2 })?.errorCode, kafka.INVALID_REQUEST.code)
  const native = { nodeId: 2, host: 'native-host', port: 7171 }
  const kafkaAddresses = (nodeId: number) => (nodeId === 2 ? { host: 'kafka-host', port: 9092 } : undefined)
  assert.equal(kafkaFindCoordinatorResponse(native, kafkaAddresses), {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId: 2,
    host: 'kafka-host',
    port: 9092,
  })
  const unknown = kafkaFindCoordinatorResponse({ ...native, nodeId: 3 }, kafkaAddresses)
  assert.is(unknown.errorCode, kafka.COORDINATOR_NOT_AVAILABLE.code)
  assert.match(unknown.errorMessage ?? '', /broker 3/)
  const loading = kafkaFindCoordinatorResponse(
    {
      errorCode: weir.COORDINATOR_LOAD_IN_PROGRESS.code,
      errorMessage: 'retry',
      nodeId: -1,
      host: '',
      port: 0,
    },
    kafkaAddresses,
  )
  assert.equal([loading.errorCode, loading.nodeId], [kafka.COORDINATOR_LOAD_IN_PROGRESS.code, -1])
})

test.run()
