// Proves offset commits are fenced by generation and membership (simple commits only for empty groups), stored as records, fetched back, and that list/describe/delete behave per group state.
import { ErrorCodes, type OffsetCommitRequest } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Harness } from './support.js'

const {
  ILLEGAL_GENERATION,
  UNKNOWN_MEMBER_ID,
  REBALANCE_IN_PROGRESS,
  INVALID_REQUEST,
  LIMIT_EXCEEDED,
  NON_EMPTY_GROUP,
  GROUP_ID_NOT_FOUND,
} = ErrorCodes

function commit(h: Harness, nowMs: number, request: Partial<OffsetCommitRequest>, offset = 42): number[] {
  const requestId = h.nextRequestId++
  h.coordinator.commitOffsets(
    requestId,
    {
      groupId: 'g',
      generationId: -1,
      memberId: '',
      topics: [{ name: 'orders', partitions: [{ partition: 0, offset, metadata: 'm' }] }],
      ...request,
    },
    nowMs,
  )
  h.collect()
  const answer = h.responses.get(requestId)
  if (answer?.api !== 'OffsetCommit') throw new Error('no OffsetCommit answer')
  return answer.response.topics.flatMap((topic) => topic.partitions.map((partition) => partition.errorCode))
}

function fetch(h: Harness, topics: { name: string; partitions: number[] }[] | null) {
  const requestId = h.nextRequestId++
  h.coordinator.fetchOffsets(requestId, { groupId: 'g', topics })
  h.collect()
  const answer = h.responses.get(requestId)
  if (answer?.api !== 'OffsetFetch') throw new Error('no OffsetFetch answer')
  return answer.response.topics
}

test('a simple commit (generation -1, no member id) creates an empty group and is fetched back; unknown partitions are -1', () => {
  const h = new Harness()
  assert.equal(commit(h, 7, {}), [0])
  assert.is(h.group.state, 'empty')
  assert.is(h.records.length, 1)
  assert.equal(fetch(h, [{ name: 'orders', partitions: [0, 1] }]), [
    {
      name: 'orders',
      partitions: [
        { errorCode: 0, partition: 0, offset: 42, metadata: 'm' },
        { errorCode: 0, partition: 1, offset: -1, metadata: '' },
      ],
    },
  ])
  assert.equal(fetch(h, null), [
    { name: 'orders', partitions: [{ errorCode: 0, partition: 0, offset: 42, metadata: 'm' }] },
  ])
})

test('members commit with their generation; zombies and outsiders are fenced and nothing is stored', () => {
  const h = new Harness()
  const member = h.startStable(0)
  const stored = h.records.length
  assert.equal(commit(h, 1, { memberId: member, generationId: 1 }, 10), [0])
  assert.equal(commit(h, 1, { memberId: member, generationId: 0 }, 11), [ILLEGAL_GENERATION.code])
  assert.equal(commit(h, 1, { memberId: 'zombie', generationId: 1 }, 12), [UNKNOWN_MEMBER_ID.code])
  assert.equal(commit(h, 1, {}, 13), [UNKNOWN_MEMBER_ID.code], 'simple commits only for empty groups')
  assert.is(h.records.length, stored + 1)
  assert.is(fetch(h, null)[0]?.partitions[0]?.offset, 10)
})

test('commits are accepted while preparing a rebalance and refused while completing one', () => {
  const h = new Harness()
  const member = h.startStable(0)
  h.join(1)
  assert.is(h.group.state, 'preparing-rebalance')
  assert.equal(commit(h, 2, { memberId: member, generationId: 1 }), [0])
  h.join(3, member)
  assert.is(h.group.state, 'completing-rebalance')
  assert.equal(commit(h, 4, { memberId: member, generationId: 2 }), [REBALANCE_IN_PROGRESS.code])
})

test('per-partition limits: metadata length and committed partitions per group', () => {
  const h = new Harness({ maxOffsetsPerGroup: 1 })
  assert.equal(
    commit(h, 0, {
      topics: [
        {
          name: 'orders',
          partitions: [
            { partition: 0, offset: 1, metadata: 'x'.repeat(5000) },
            { partition: 1, offset: 1 },
            { partition: 2, offset: 1 },
            { partition: 1, offset: 2 },
          ],
        },
      ],
    }),
    [INVALID_REQUEST.code, 0, LIMIT_EXCEEDED.code, 0],
  )
})

test('list, describe and delete groups', () => {
  const h = new Harness()
  const member = h.startStable(0)
  let requestId = h.nextRequestId++
  h.coordinator.listGroups(requestId, { statesFilter: ['empty'] })
  const describeId = h.nextRequestId++
  h.coordinator.describeGroups(describeId, { groups: ['g', 'unknown'] })
  const refusedDelete = h.nextRequestId++
  h.coordinator.deleteGroups(refusedDelete, { groups: ['g'] })
  h.collect()
  const listed = h.responses.get(requestId)
  assert.ok(listed?.api === 'ListGroups')
  assert.equal(listed.response.groups, [])
  const described = h.responses.get(describeId)
  assert.ok(described?.api === 'DescribeGroups')
  const [g, unknown] = described.response.groups
  assert.is(g?.state, 'stable')
  assert.is(g?.protocolName, 'range')
  assert.equal(g?.members[0]?.assignment, Buffer.from('all'))
  assert.is(g?.members[0]?.clientHost, '10.0.0.1')
  assert.is(unknown?.state, 'dead')
  const refused = h.responses.get(refusedDelete)
  assert.ok(refused?.api === 'DeleteGroups')
  assert.is(refused.response.groups[0]?.errorCode, NON_EMPTY_GROUP.code)

  commit(h, 1, { memberId: member, generationId: 1 })
  const leave = h.nextRequestId++
  h.coordinator.leaveGroup(leave, { groupId: 'g', members: [{ memberId: member }] }, 2)
  const before = h.records.length
  requestId = h.nextRequestId++
  h.coordinator.deleteGroups(requestId, { groups: ['g', 'never-existed'] })
  h.collect()
  const deleted = h.responses.get(requestId)
  assert.ok(deleted?.api === 'DeleteGroups')
  assert.equal(
    deleted.response.groups.map((group) => group.errorCode),
    [0, GROUP_ID_NOT_FOUND.code],
  )
  assert.is(
    h.records.length,
    before + 3,
    'empty-group record, then an offset tombstone and a group tombstone',
  )
  assert.ok(h.records.slice(-2).every((record) => record.value === null))
  assert.is(h.coordinator.group('g'), undefined)
})

test.run()
