// Proves the reassignment records: a target is set, replaced and cleared with its topic; a completion makes the target the replica set only for the target it reached; the controller leader refuses unknown, repeated or absent brokers, unknown partitions and stale completions; every broker skips an invalid committed one alike.
import { encodeBody, encodeRecordBatch, isWeirError } from '@weir/protocol'
import { EntryKind } from '@weir/raft'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ClusterImage, type MetadataRecord } from '../../src/cluster/cluster-image.js'
import { applyCommittedEntry } from '../../src/cluster/metadata-apply.js'
import { checkMetadataRecord, checkProposal } from '../../src/cluster/metadata-record-check.js'
import { replicaProgress } from '../../src/cluster/reassignment-engine.js'

const brokerIds = [1, 2, 3, 4]
const created: MetadataRecord = {
  type: 'topicCreated',
  name: 'orders',
  id: 'id-orders',
  config: {},
  replicas: [
    [1, 2, 3],
    [2, 3, 4],
  ],
}
const moveTo = (replicas: number[], extra: object = {}): MetadataRecord => ({
  type: 'partitionReassigned',
  name: 'orders',
  partition: 0,
  replicas,
  ...extra,
})
const completed = (replicas: number[]): MetadataRecord => ({
  type: 'reassignmentCompleted',
  name: 'orders',
  partition: 0,
  replicas,
})

function image(...records: MetadataRecord[]): ClusterImage {
  const result = new ClusterImage()
  for (const record of [created, ...records]) result.apply(record)
  return result
}

function refusedCode(record: unknown, on = image()): string {
  try {
    checkProposal(record as MetadataRecord, { image: on, brokerIds, origin: 'user' })
  } catch (error) {
    assert.ok(isWeirError(error), String(error))
    return error.code
  }
  return 'accepted'
}

test('a target is set, replaced by a newer one, and completed into the replica set (first = preferred)', () => {
  const moving = image(moveTo([1, 2, 4], { throttleBytesPerSec: 1000 }))
  assert.equal(moving.targets.of('orders', 0), { replicas: [1, 2, 4], throttleBytesPerSec: 1000 })
  assert.equal(moving.topic('orders')?.replicas[0], [1, 2, 3])
  moving.apply(moveTo([4, 2, 1]))
  assert.equal(moving.targets.of('orders', 0), { replicas: [4, 2, 1] })
  moving.apply(completed([4, 2, 1]))
  assert.equal(moving.topic('orders')?.replicas, [
    [4, 2, 1],
    [2, 3, 4],
  ])
  assert.is(moving.targets.of('orders', 0), undefined)
  assert.equal(moving.targets.all(), [])
})

test('deleting the topic ends its reassignments', () => {
  const moving = image(moveTo([1, 2, 4]))
  moving.apply({ type: 'topicDeleted', name: 'orders' })
  assert.equal(moving.targets.all(), [])
})

test('the controller leader refuses bad targets and stale completions', () => {
  assert.is(refusedCode(moveTo([1, 2, 4])), 'accepted')
  assert.is(refusedCode(moveTo([1, 2, 9])), 'INVALID_REPLICA_ASSIGNMENT')
  assert.is(refusedCode(moveTo([1, 1, 2])), 'INVALID_REPLICA_ASSIGNMENT')
  assert.is(refusedCode(moveTo([])), 'INVALID_REPLICA_ASSIGNMENT')
  assert.is(refusedCode(moveTo([0])), 'INVALID_REPLICA_ASSIGNMENT')
  assert.is(refusedCode({ ...moveTo([1]), partition: 2 }), 'UNKNOWN_PARTITION')
  assert.is(refusedCode({ ...moveTo([1]), name: 'missing' }), 'UNKNOWN_TOPIC')
  assert.is(refusedCode({ ...moveTo([1]), name: '__cluster_metadata' }), 'INVALID_TOPIC')
  assert.is(refusedCode(moveTo([1]), image()), 'accepted')
  assert.is(refusedCode(completed([1, 2, 4])), 'INVALID_REPLICA_ASSIGNMENT')
  assert.is(refusedCode(completed([1, 2, 4]), image(moveTo([1, 2, 5]))), 'INVALID_REPLICA_ASSIGNMENT')
  assert.is(refusedCode(completed([1, 2, 5]), image(moveTo([1, 2, 5]))), 'accepted')
  assert.is(refusedCode({ ...moveTo([1]), throttleBytesPerSec: -1 }), 'INVALID_REQUEST')
})

test('a record read back keeps its change id and drops a zero throttle', () => {
  assert.equal(checkMetadataRecord({ ...moveTo([1, 2]), change: 'c1', throttleBytesPerSec: 0 }), {
    ...moveTo([1, 2]),
    change: 'c1',
  })
})

test('a committed stale completion is skipped by every broker alike, never applied', () => {
  const moving = image(moveTo([1, 2, 5]))
  const batch = encodeRecordBatch([{ value: encodeBody(completed([1, 2, 4])) }], { timestamp: 0 })
  const result = applyCommittedEntry(moving, {
    index: 5,
    term: 1,
    span: 1,
    kind: EntryKind.normal,
    data: batch,
  })
  assert.is(result.applied.length, 0)
  assert.is(result.skipped[0]?.error.code, 'INVALID_REPLICA_ASSIGNMENT')
  assert.equal(moving.topic('orders')?.replicas[0], [1, 2, 3])
})

test('progress: the share of the leader log [logStart, logEnd) a replica holds', () => {
  assert.equal(replicaProgress(4, -1, 0, 1000), { broker: 4, caughtUpPercent: 0, offsetsBehind: 1000 })
  assert.equal(replicaProgress(4, 499, 0, 1000), { broker: 4, caughtUpPercent: 50, offsetsBehind: 500 })
  assert.equal(replicaProgress(4, 999, 0, 1000), { broker: 4, caughtUpPercent: 100, offsetsBehind: 0 })
  assert.equal(replicaProgress(4, 150, 100, 200), { broker: 4, caughtUpPercent: 51, offsetsBehind: 49 })
  assert.equal(replicaProgress(4, -1, 0, 0), { broker: 4, caughtUpPercent: 100, offsetsBehind: 0 })
})

test.run()
