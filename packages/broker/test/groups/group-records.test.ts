// Proves the __consumer_offsets record format (golden key bytes, round trips, tombstones, unknown and corrupt records) and that a coordinator rebuilt from its own records has the same groups and offsets, with live members keeping their generation.
import { ErrorCodes, encodeBody, isWeirError } from '@weir/protocol'
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { GroupCoordinator } from '../../src/groups/group-coordinator.js'
import {
  decodeGroupLogRecord,
  encodeGroupLogEntry,
  type GroupLogEntry,
  offsetsPartitionFor,
} from '../../src/groups/group-records.js'
import { Harness, sessionTimeoutMs } from './support.js'

const options = {
  newMemberId: (clientId: string) => `${clientId}-restored`,
  limits: { minSessionTimeoutMs: 10 },
}

test('offset and group keys: golden bytes; equal keys are equal bytes', () => {
  const offset = encodeGroupLogEntry({
    type: 'offset',
    groupId: 'g',
    topic: 't',
    partition: 3,
    value: { offset: 5, metadata: '', commitTimestampMs: 9 },
  })
  assert.is(offset.key.toString('hex'), '9401a167a17403')
  const group = encodeGroupLogEntry({ type: 'group', groupId: 'g', value: null })
  assert.is(group.key.toString('hex'), '9202a167')
  assert.is(group.value, null)
})

test('entries round-trip, tombstones included (property)', () => {
  const text = fc.string({ maxLength: 12 })
  const offsetEntry = fc.record(
    {
      type: fc.constant('offset' as const),
      groupId: text,
      topic: text,
      partition: fc.nat(10_000),
      value: fc.option(
        fc.record(
          { offset: fc.nat(), metadata: text, commitTimestampMs: fc.nat() },
          { noNullPrototype: true },
        ),
        {
          nil: null,
        },
      ),
    },
    { noNullPrototype: true },
  )
  const member = fc.record(
    {
      memberId: text,
      groupInstanceId: text,
      clientId: text,
      clientHost: text,
      sessionTimeoutMs: fc.nat(),
      rebalanceTimeoutMs: fc.nat(),
      metadata: fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
      assignment: fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
    },
    {
      noNullPrototype: true,
      requiredKeys: [
        'memberId',
        'clientId',
        'clientHost',
        'sessionTimeoutMs',
        'rebalanceTimeoutMs',
        'metadata',
        'assignment',
      ],
    },
  )
  const groupEntry = fc.record(
    {
      type: fc.constant('group' as const),
      groupId: text,
      value: fc.option(
        fc.record(
          {
            protocolType: text,
            protocolName: text,
            generationId: fc.nat(),
            leader: text,
            members: fc.array(member, { maxLength: 3 }),
          },
          { noNullPrototype: true },
        ),
        { nil: null },
      ),
    },
    { noNullPrototype: true },
  )
  fc.assert(
    fc.property(fc.oneof(offsetEntry, groupEntry), (entry) => {
      assert.equal(decodeGroupLogRecord(encodeGroupLogEntry(entry as GroupLogEntry)), entry)
    }),
  )
})

test('a key type from a newer broker is skipped; a damaged known record is LOG_CORRUPTED', () => {
  assert.is(decodeGroupLogRecord({ key: encodeBody([9, 'g']), value: null }), undefined)
  for (const record of [
    { key: Buffer.from([0xc1]), value: null },
    { key: encodeBody([1, 'g', 't']), value: null },
    { key: encodeBody([1, 'g', 't', 0]), value: encodeBody({ version: 0, offset: 'x' }) },
    { key: encodeBody([2, 'g']), value: encodeBody({ version: 0, members: 3 }) },
    { key: encodeBody([2, 'g']), value: Buffer.from([0x92]) },
  ]) {
    try {
      decodeGroupLogRecord(record)
      assert.unreachable('should have thrown')
    } catch (error) {
      assert.ok(isWeirError(error, 'LOG_CORRUPTED'), String(error))
    }
  }
})

test('offsetsPartitionFor is murmur3(groupId) % n and stable', () => {
  assert.is(offsetsPartitionFor('billing', 1), 0)
  const partition = offsetsPartitionFor('billing', 50)
  assert.ok(partition >= 0 && partition < 50)
  assert.is(offsetsPartitionFor('billing', 50), partition)
  assert.throws(() => offsetsPartitionFor('g', 0), RangeError)
})

test('rebuild: a coordinator loaded from the records has the same members, generation and offsets; members keep going without a rebalance', () => {
  const h = new Harness()
  const first = h.startStable(0, { groupInstanceId: 'pod-1' })
  const secondJoin = h.join(0)
  h.join(0, first, { groupInstanceId: 'pod-1' })
  const second = h.joinAnswer(secondJoin).memberId
  h.sync(0, second, 2)
  h.sync(0, first, 2, [
    [first, 'a'],
    [second, 'b'],
  ])
  for (const [partition, offset] of [
    [0, 5],
    [1, 6],
    [0, 7],
  ] as const) {
    h.coordinator.commitOffsets(
      h.nextRequestId++,
      {
        groupId: 'g',
        generationId: 2,
        memberId: second,
        topics: [{ name: 'orders', partitions: [{ partition, offset }] }],
      },
      1,
    )
    h.collect()
  }
  const restored = GroupCoordinator.load(h.records, 10_000, options)
  const group = restored.group('g')!
  assert.is(group.state, 'stable')
  assert.is(group.generationId, 2)
  assert.is(group.leaderId, first)
  assert.equal([...group.members.keys()], [first, second])
  assert.equal(group.members.get(second)?.assignment, Buffer.from('b'))
  assert.is(group.staticMembers.get('pod-1'), first)
  assert.equal(
    [...group.offsets.get('orders')!].map(([partition, value]) => [partition, value.offset]),
    [
      [0, 7],
      [1, 6],
    ],
  )
  assert.equal(restored.takeOutput().records, [], 'loading writes nothing')
  restored.heartbeat(1, { groupId: 'g', generationId: 2, memberId: second }, 10_100)
  assert.is(restored.takeOutput().responses[0]?.response.errorCode, 0)
  assert.is(restored.nextDeadlineMs(), 10_000 + sessionTimeoutMs, 'sessions restart at load time')
  restored.tick(10_000 + sessionTimeoutMs)
  assert.is(group.state, 'preparing-rebalance', 'the member that did not come back times out')
})

test('rebuild: latest record per key wins and tombstones delete offsets and groups', () => {
  const offset = (offsetValue: number | null, partition = 0) =>
    encodeGroupLogEntry({
      type: 'offset',
      groupId: 'g',
      topic: 't',
      partition,
      value: offsetValue === null ? null : { offset: offsetValue, metadata: '', commitTimestampMs: 0 },
    })
  const deletedGroup = [
    encodeGroupLogEntry({
      type: 'offset',
      groupId: 'gone',
      topic: 't',
      partition: 0,
      value: { offset: 1, metadata: '', commitTimestampMs: 0 },
    }),
    encodeGroupLogEntry({ type: 'offset', groupId: 'gone', topic: 't', partition: 0, value: null }),
    encodeGroupLogEntry({ type: 'group', groupId: 'gone', value: null }),
  ]
  const restored = GroupCoordinator.load(
    [offset(1), offset(2), offset(3, 1), offset(null, 1), ...deletedGroup],
    0,
    options,
  )
  assert.equal(
    [...restored.group('g')!.offsets.get('t')!].map(([partition, value]) => [partition, value.offset]),
    [[0, 2]],
  )
  assert.is(restored.group('g')!.state, 'empty')
  assert.is(restored.group('gone'), undefined)
  assert.is(restored.groupCount, 1)
  assert.is(ErrorCodes.LOG_CORRUPTED.code, 20)
})

test.run()
