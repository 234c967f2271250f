// Proves each consumer-group API (keys 10-19) survives encode → decode, that golden bytes pin the wire shape, and that bad shapes are INVALID_REQUEST naming the field.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ApiKeys,
  apiByKey,
  DeleteGroups,
  DescribeGroups,
  FindCoordinator,
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  OffsetCommit,
  OffsetFetch,
  SyncGroup,
} from '../src/apis/index.js'
import { decodeBody, encodeBody } from '../src/body-codec.js'
import { rejects, roundTrip } from './api-test-support.js'

const metadata = Buffer.from([0x81, 0xa1, 0x76, 0x00])
const assignment = Buffer.from('assignment bytes')

test('group APIs use keys 10-19 and are found by key', () => {
  const names = [
    'FindCoordinator',
    'JoinGroup',
    'SyncGroup',
    'Heartbeat',
    'LeaveGroup',
    'OffsetCommit',
    'OffsetFetch',
    'ListGroups',
    'DescribeGroups',
    'DeleteGroups',
  ] as const
  names.forEach((name, index) => {
    assert.is(ApiKeys[name], 10 + index)
    assert.is(apiByKey(10 + index)?.name, name)
  })
})

test('FindCoordinator round trip; keyType defaults to group', () => {
  roundTrip(
    FindCoordinator,
    { key: 'billing', keyType: 0 },
    { errorCode: 0, nodeId: 1, host: 'h', port: 7171 },
  )
  assert.equal(FindCoordinator.decodeRequest({ key: 'billing' }), { key: 'billing', keyType: 0 })
  rejects(() => FindCoordinator.decodeRequest({ key: 'g', keyType: 1 }), /FindCoordinator\.keyType/)
})

test('JoinGroup round trip, new member and leader answer with static ids', () => {
  roundTrip(
    JoinGroup,
    {
      groupId: 'billing',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 60_000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [
        { name: 'cooperative-sticky', metadata },
        { name: 'range', metadata },
      ],
      groupInstanceId: 'pod-1',
      clientId: 'app',
      reason: 'starting',
    },
    {
      errorCode: 0,
      generationId: 3,
      leader: 'app-1',
      memberId: 'app-1',
      members: [
        { memberId: 'app-1', metadata, groupInstanceId: 'pod-1' },
        { memberId: 'app-2', metadata },
      ],
      protocolType: 'consumer',
      protocolName: 'cooperative-sticky',
      skipAssignment: false,
    },
  )
  roundTrip(
    JoinGroup,
    {
      groupId: 'g',
      sessionTimeoutMs: 1,
      rebalanceTimeoutMs: 1,
      memberId: 'm',
      protocolType: 'consumer',
      protocols: [],
    },
    { errorCode: 15, errorMessage: 'old', generationId: -1, leader: '', memberId: 'm', members: [] },
  )
})

test('JoinGroup request golden bytes', () => {
  const bytes = encodeBody({
    groupId: 'g',
    sessionTimeoutMs: 10,
    rebalanceTimeoutMs: 20,
    memberId: '',
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from([1]) }],
  })
  assert.is(
    bytes.toString('hex'),
    '86a767726f75704964a167b073657373696f6e54696d656f75744d730ab2726562616c616e636554696d656f75744d7314' +
      'a86d656d6265724964a0ac70726f746f636f6c54797065a8636f6e73756d6572a970726f746f636f6c739182a46e616d65' +
      'a572616e6765a86d65746164617461c40101',
  )
  assert.equal(
    JoinGroup.decodeRequest(decodeBody(bytes, 'JoinGroup')).protocols[0]?.metadata,
    Buffer.from([1]),
  )
})

test('SyncGroup and Heartbeat round trip', () => {
  roundTrip(
    SyncGroup,
    {
      groupId: 'g',
      generationId: 4,
      memberId: 'm1',
      groupInstanceId: 'i1',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: 'm1', assignment }],
    },
    { errorCode: 0, assignment, protocolType: 'consumer', protocolName: 'range' },
  )
  roundTrip(
    SyncGroup,
    { groupId: 'g', generationId: 4, memberId: 'm2', assignments: [] },
    { errorCode: 14, errorMessage: 'rebalancing', assignment: Buffer.alloc(0) },
  )
  roundTrip(
    Heartbeat,
    { groupId: 'g', generationId: 4, memberId: 'm1', groupInstanceId: 'i' },
    { errorCode: 0 },
  )
  roundTrip(Heartbeat, { groupId: 'g', generationId: -1, memberId: 'm1' }, { errorCode: 14 })
})

test('LeaveGroup round trip, by member id or by instance id', () => {
  roundTrip(
    LeaveGroup,
    {
      groupId: 'g',
      members: [
        { memberId: 'm1', reason: 'closing' },
        { memberId: '', groupInstanceId: 'pod-2' },
      ],
    },
    {
      errorCode: 0,
      members: [
        { errorCode: 0, memberId: 'm1' },
        { errorCode: 16, errorMessage: 'unknown', memberId: '', groupInstanceId: 'pod-2' },
      ],
    },
  )
})

test('OffsetCommit and OffsetFetch round trip, 64-bit-range offsets, fetch of everything', () => {
  const big = 2 ** 40 + 3
  roundTrip(
    OffsetCommit,
    {
      groupId: 'g',
      generationId: -1,
      memberId: '',
      topics: [
        {
          name: 'orders',
          partitions: [
            { partition: 0, offset: big, metadata: 'host-a' },
            { partition: 1, offset: 0 },
          ],
        },
      ],
    },
    {
      errorCode: 0,
      topics: [
        {
          name: 'orders',
          partitions: [
            { errorCode: 0, partition: 0 },
            { errorCode: 15, partition: 1 },
          ],
        },
      ],
    },
  )
  roundTrip(
    OffsetCommit,
    { groupId: 'g', generationId: 2, memberId: 'm', groupInstanceId: 'i', topics: [] },
    { errorCode: 0, topics: [] },
  )
  roundTrip(
    OffsetFetch,
    { groupId: 'g', topics: [{ name: 'orders', partitions: [0, 1] }] },
    {
      errorCode: 0,
      topics: [
        {
          name: 'orders',
          partitions: [
            { errorCode: 0, partition: 0, offset: big, metadata: 'host-a' },
            { errorCode: 0, partition: 1, offset: -1, metadata: '' },
          ],
        },
      ],
    },
  )
  assert.equal(OffsetFetch.decodeRequest({ groupId: 'g' }), { groupId: 'g', topics: null })
  roundTrip(OffsetFetch, { groupId: 'g', topics: null }, { errorCode: 0, topics: [] })
})

test('ListGroups, DescribeGroups and DeleteGroups round trip', () => {
  roundTrip(
    ListGroups,
    { statesFilter: ['stable', 'empty'] },
    { errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer', state: 'preparing-rebalance' }] },
  )
  assert.equal(ListGroups.decodeRequest({}), { statesFilter: [] })
  roundTrip(
    DescribeGroups,
    { groups: ['g', 'h'] },
    {
      errorCode: 0,
      groups: [
        {
          errorCode: 0,
          groupId: 'g',
          state: 'stable',
          protocolType: 'consumer',
          protocolName: 'range',
          generationId: 7,
          members: [
            {
              memberId: 'm',
              groupInstanceId: 'i',
              clientId: 'app',
              clientHost: '10.0.0.1',
              metadata,
              assignment,
            },
          ],
        },
        {
          errorCode: 0,
          groupId: 'h',
          state: 'dead',
          protocolType: '',
          protocolName: '',
          generationId: -1,
          members: [],
        },
      ],
    },
  )
  roundTrip(
    DeleteGroups,
    { groups: ['g'] },
    { errorCode: 0, groups: [{ errorCode: 9, errorMessage: 'not empty', groupId: 'g' }] },
  )
})

test('group API shape errors name the field', () => {
  rejects(() => FindCoordinator.decodeRequest({ key: '' }), /FindCoordinator\.key must be a group id/)
  rejects(
    () =>
      JoinGroup.decodeRequest({
        groupId: 'g',
        sessionTimeoutMs: 0,
        rebalanceTimeoutMs: 1,
        memberId: '',
        protocolType: 'consumer',
        protocols: [],
      }),
    /JoinGroup\.sessionTimeoutMs/,
  )
  rejects(
    () =>
      JoinGroup.decodeRequest({
        groupId: 'g',
        sessionTimeoutMs: 1,
        rebalanceTimeoutMs: 1,
        memberId: '',
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: 'text' }],
      }),
    /JoinGroup\.protocols\[0\]\.metadata must be binary/,
  )
  rejects(
    () => Heartbeat.decodeRequest({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: '' }),
    /Heartbeat\.groupInstanceId/,
  )
  rejects(
    () =>
      SyncGroup.decodeRequest({
        groupId: 'g',
        generationId: 1,
        memberId: 'm',
        assignments: [{ memberId: 'x' }],
      }),
    /SyncGroup\.assignments\[0\]\.assignment must be binary/,
  )
  rejects(
    () => OffsetFetch.decodeRequest({ groupId: 'g', topics: [{ name: 't', partitions: [-1] }] }),
    /partitions\[0\]/,
  )
  rejects(
    () => OffsetCommit.decodeRequest({ groupId: 'g', generationId: -2, memberId: '', topics: [] }),
    /OffsetCommit\.generationId/,
  )
  rejects(
    () => ListGroups.decodeRequest({ statesFilter: ['running'] }),
    /ListGroups\.statesFilter\[0\] must be a group state/,
  )
  rejects(
    () => ListGroups.decodeResponse({ groups: [{ groupId: 'g', protocolType: '', state: 'x' }] }),
    /state/,
  )
  rejects(
    () => DescribeGroups.decodeRequest({ groups: [1] }),
    /DescribeGroups\.groups\[0\] must be a group id/,
  )
  rejects(() => DeleteGroups.decodeRequest({ groups: Array(1001).fill('g') }), /at most 1000/)
  rejects(
    () => LeaveGroup.decodeRequest({ groupId: 'g', members: [{}] }),
    /LeaveGroup\.members\[0\]\.memberId/,
  )
})

test.run()
