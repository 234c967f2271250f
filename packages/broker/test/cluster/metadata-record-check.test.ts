// Proves the controller leader refuses every unsafe proposal (bad names, partition counts, configs, strangers in replica sets, internal topics), and that applying committed records skips the invalid ones, the same way on every broker, without throwing.
import { encodeBody, encodeRecordBatch, isWeirError, nodeClock, nodeTimers, WeirError } from '@weir/protocol'
import { type Entry, EntryKind } from '@weir/raft'
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ClusterImage, type MetadataRecord } from '../../src/cluster/cluster-image.js'
import { Controller } from '../../src/cluster/controller.js'
import { applyCommittedEntry } from '../../src/cluster/metadata-apply.js'
import { checkMetadataRecord, checkProposal } from '../../src/cluster/metadata-record-check.js'

const brokerIds = [1, 2, 3]
const brokers = () =>
  brokerIds.map((id) => ({ id, host: '127.0.0.1', port: 7000 + 2 * id, peerPort: 7001 + 2 * id }))

function imageWith(...records: MetadataRecord[]): ClusterImage {
  const image = new ClusterImage()
  for (const record of records) image.apply(record)
  return image
}

const created = (name: string, replicas: number[][], config: object = {}) =>
  ({ type: 'topicCreated', name, id: `id-${name}`, config, replicas }) as MetadataRecord

const baseImage = () =>
  imageWith(
    created('orders', [
      [1, 2],
      [2, 3],
    ]),
    created('__consumer_offsets', [[1]]),
  )

function refusal(record: unknown, origin: 'user' | 'broker' = 'user'): WeirError {
  try {
    checkProposal(record as MetadataRecord, { image: baseImage(), brokerIds, origin })
  } catch (error) {
    assert.ok(isWeirError(error), `a WeirError, got ${String(error)}`)
    return error
  }
  assert.unreachable(
    `accepted a ${(record as MetadataRecord).type} of ${String((record as { name?: string }).name)}`,
  )
  throw new Error('unreachable')
}

function assertRefused(record: unknown, code: string, pattern: RegExp, origin?: 'user' | 'broker'): void {
  const error = refusal(record, origin)
  assert.is(error.code, code, error.message)
  assert.match(error.message, pattern)
}

test('topic names: a path, the metadata log and an empty name are refused', () => {
  assertRefused(created('../../x', [[1]]), 'INVALID_TOPIC', /invalid topic name/)
  assertRefused(created('..', [[1]]), 'INVALID_TOPIC', /invalid topic name/)
  assertRefused(created('__cluster_metadata', [[1]]), 'INVALID_TOPIC', /metadata log/)
  assertRefused({ type: 'topicDeleted', name: '__cluster_metadata' }, 'INVALID_TOPIC', /metadata log/)
  assertRefused({ type: 'topicDeleted', name: '' }, 'INVALID_REQUEST', /name must be a string/)
})

test('partition counts: none, or more than 10,000, per topic are refused', () => {
  assertRefused(created('big', []), 'INVALID_REQUEST', /needs replicas/)
  const tooMany = Array.from({ length: 10_001 }, () => [1])
  assertRefused(created('big', tooMany), 'INVALID_CONFIG', /at most 10000/)
  const growth = {
    type: 'partitionsCreated',
    name: 'orders',
    first: 2,
    replicas: Array.from({ length: 9_999 }, () => [1]),
  }
  assertRefused(growth, 'INVALID_CONFIG', /would have 10001 partitions/)
  assertRefused({ ...growth, first: 5, replicas: [[1]] }, 'INVALID_CONFIG', /has 2 partitions, not the 5/)
})

test('configs: unknown keys, wrong types and out-of-range values are refused', () => {
  assertRefused(created('t', [[1]], { retentionMs: 'forever' }), 'INVALID_CONFIG', /retentionMs/)
  assertRefused(created('t', [[1]], { segmentBytes: 10n }), 'INVALID_CONFIG', /segmentBytes/)
  assertRefused(
    created('t', [[1]], { segmentBytes: 10 }),
    'INVALID_CONFIG',
    /segmentBytes must be an integer from 1024/,
  )
  assertRefused(created('t', [[1]], { evil: 1 }), 'INVALID_CONFIG', /evil is not a topic config/)
  assertRefused({ ...created('t', [[1]]), config: null }, 'INVALID_REQUEST', /config map/)
})

test('replica sets: only distinct brokers of the cluster, so no more replicas than brokers', () => {
  assertRefused(created('t', [[1, 99]]), 'INVALID_CONFIG', /broker 99 is not in this cluster/)
  assertRefused(created('t', [[1, 2, 3, 4]]), 'INVALID_CONFIG', /broker 4 is not in this cluster/)
  assertRefused(created('t', [[1, 1]]), 'INVALID_REQUEST', /distinct broker ids/)
  assertRefused(created('t', [[0]]), 'INVALID_REQUEST', /distinct broker ids/)
  assertRefused(created('t', [[1.5]]), 'INVALID_REQUEST', /distinct broker ids/)
  assertRefused(
    { type: 'partitionsCreated', name: 'orders', first: 2, replicas: [[7]] },
    'INVALID_CONFIG',
    /broker 7/,
  )
})

test('__consumer_offsets: never deleted or grown; created by the brokers only', () => {
  assertRefused({ type: 'topicDeleted', name: '__consumer_offsets' }, 'INVALID_TOPIC', /cannot be deleted/)
  const grow = { type: 'partitionsCreated', name: '__consumer_offsets', first: 1, replicas: [[1]] }
  assertRefused(grow, 'INVALID_TOPIC', /partitions cannot change/)
  const fresh = new ClusterImage()
  const offsets = created('__consumer_offsets', [[1], [2]])
  assert.throws(
    () => checkProposal(offsets, { image: fresh, brokerIds, origin: 'user' }),
    /created by the brokers/,
  )
  checkProposal(offsets, { image: fresh, brokerIds, origin: 'broker' })
})

test("the controller leader checks maxTopics and maxPartitionsPerBroker itself, for users' proposals only", () => {
  // Each receiving broker checks its own image first, but two creates sent to two brokers at once
  // both pass there: the leader, which commits one change at a time, is where the limit holds.
  const placement = { maxTopics: 2, maxPartitionsPerBroker: 3 }
  const context = { image: baseImage(), brokerIds, origin: 'user' as const, placement }
  const tooMany = (() => {
    try {
      checkProposal(created('third', [[3]]), context)
    } catch (error) {
      return error
    }
    return undefined
  })()
  assert.ok(isWeirError(tooMany, 'POLICY_VIOLATION'), String(tooMany))
  assert.throws(
    () =>
      checkProposal(
        { type: 'partitionsCreated', name: 'orders', first: 2, replicas: [[2], [2]] },
        { ...context, placement: { maxTopics: 10, maxPartitionsPerBroker: 3 } },
      ),
    /broker 2 would host 4/,
  )
  // The brokers' own upkeep is never refused for space.
  checkProposal(created('third', [[3]]), { ...context, origin: 'broker' })
})

test('existence: a duplicate creation and a change of an unknown topic are refused', () => {
  assertRefused(created('orders', [[1]]), 'TOPIC_ALREADY_EXISTS', /already exists/)
  assertRefused({ type: 'topicDeleted', name: 'ghost' }, 'UNKNOWN_TOPIC', /does not exist/)
  checkProposal({ type: 'topicDeleted', name: 'orders' }, { image: baseImage(), brokerIds, origin: 'user' })
  checkProposal(created('unset', [[1]], { retentionMs: undefined, fsync: 'never' }), {
    image: baseImage(),
    brokerIds,
    origin: 'user',
  })
  checkProposal(created('payments', [[3, 1]], { retentionMs: 1000 }), {
    image: baseImage(),
    brokerIds,
    origin: 'user',
  })
})

test('malformed records from a peer are INVALID_REQUEST, whatever their shape', () => {
  for (const value of [
    null,
    7,
    'x',
    [],
    { type: 'toString', name: 'a' },
    { type: 'topicWiped', name: 'a' },
  ]) {
    assert.throws(
      () => checkMetadataRecord(value),
      (error: unknown) => isWeirError(error) && error.code === 'INVALID_REQUEST',
    )
  }
})

test('the controller leader commits nothing it refuses', async () => {
  const image = baseImage()
  const proposed: Buffer[] = []
  const controller = new Controller(
    {
      isLeader: true,
      leaderId: 1,
      caughtUp: () => Promise.resolve(),
      notLeader: () => new WeirError('NOT_LEADER', 'not leader'),
      propose(batches) {
        proposed.push(...batches)
        return { baseOffset: 0, done: Promise.resolve() }
      },
    },
    image,
    { request: () => Promise.reject(new Error('unused')) },
    { clock: nodeClock, timers: nodeTimers, random: Math.random },
    brokers,
  )
  const refused = (record: MetadataRecord) => controller.proposeHere(record).then(() => 'committed', String)
  assert.match(await refused(created('../../x', [[1]])), /invalid topic name/)
  assert.match(await refused({ type: 'topicDeleted', name: '__consumer_offsets' }), /cannot be deleted/)
  assert.is(proposed.length, 0)
  await controller.proposeHere(created('fine', [[2]]))
  assert.is(proposed.length, 1)
})

let nextIndex = 1
function entryOf(...values: unknown[]): Entry {
  const batch = encodeRecordBatch(
    values.map((value) => ({ value: Buffer.isBuffer(value) ? value : encodeBody(value) })),
    { timestamp: 0 },
  )
  return { index: nextIndex++, term: 1, span: values.length, kind: EntryKind.normal, data: batch }
}

test('applying committed records skips each invalid one, applies the rest, never throws', () => {
  const entries = [
    entryOf(created('orders', [[1]]), created('../../x', [[1]])),
    entryOf(Buffer.from([0x82, 0xa4]), { type: 'topicDeleted', name: '__consumer_offsets' }),
    entryOf(created('cfg', [[1]], { segmentBytes: 'x' }), {
      type: 'topicDeleted',
      name: '__cluster_metadata',
    }),
    entryOf({ type: 'partitionsCreated', name: 'orders', first: 0, replicas: [[1]] }),
    entryOf({ type: 'partitionsCreated', name: 'orders', first: 1, replicas: [[1]] }),
    { index: nextIndex++, term: 1, span: 1, kind: EntryKind.normal, data: Buffer.from('not a batch') },
    entryOf(created('late', [[2]])),
  ]
  const image = imageWith(created('__consumer_offsets', [[1]]))
  const skipped: string[] = []
  const applied: string[] = []
  for (const entry of entries) {
    const result = applyCommittedEntry(image, entry)
    applied.push(
      ...result.applied.map((record) => `${record.type} ${String((record as { name?: string }).name)}`),
    )
    skipped.push(...result.skipped.map((record) => `${record.summary}: ${record.error.code}`))
  }
  assert.equal(applied, ['topicCreated orders', 'partitionsCreated orders', 'topicCreated late'])
  assert.equal(skipped, [
    '"topicCreated" of topic "../../x": INVALID_TOPIC',
    '(undefined) of topic (undefined): INVALID_REQUEST',
    '"topicDeleted" of topic "__consumer_offsets": INVALID_TOPIC',
    '"topicCreated" of topic "cfg": INVALID_CONFIG',
    '"topicDeleted" of topic "__cluster_metadata": INVALID_TOPIC',
    '"partitionsCreated" of topic "orders": INVALID_CONFIG',
    'an unreadable batch: CORRUPT_MESSAGE',
  ])
  assert.equal(
    image.topics().map((topic) => [topic.name, topic.replicas.length]),
    [
      ['__consumer_offsets', 1],
      ['orders', 2],
      ['late', 1],
    ],
  )
  // Another broker applying the same entries ends with the same image.
  const other = imageWith(created('__consumer_offsets', [[1]]))
  for (const entry of entries) applyCommittedEntry(other, entry)
  assert.equal(other.topics(), image.topics())
})

test('property: applying any committed values never throws, and two images stay identical', () => {
  const field = fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.constantFrom('orders', '../../x', '__consumer_offsets', '__cluster_metadata', ''),
    fc.array(fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 3 }), { maxLength: 3 }),
    fc.record({ segmentBytes: fc.anything(), fsync: fc.anything() }),
  )
  const value = fc.record({
    type: fc.oneof(fc.constantFrom('topicCreated', 'topicDeleted', 'partitionsCreated'), fc.anything()),
    name: field,
    id: field,
    config: field,
    replicas: field,
    first: field,
    change: field,
  })
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), (values) => {
      const encodable = values.filter((entry) => {
        try {
          encodeBody(entry)
          return true
        } catch {
          return false
        }
      })
      if (encodable.length === 0) return
      const entry = entryOf(...encodable)
      const left = imageWith(created('__consumer_offsets', [[1]]))
      const right = imageWith(created('__consumer_offsets', [[1]]))
      const result = applyCommittedEntry(left, entry)
      applyCommittedEntry(right, entry)
      assert.is(result.applied.length + result.skipped.length, encodable.length)
      assert.equal(left.topics(), right.topics())
      for (const topic of left.topics())
        assert.not.throws(() => checkMetadataRecord({ type: 'topicCreated', ...topic }))
    }),
    { numRuns: 1000 },
  )
})

test('no-op and config entries hold no records', () => {
  const image = new ClusterImage()
  const noop: Entry = { index: 1, term: 1, span: 1, kind: EntryKind.noop, data: Buffer.alloc(0) }
  assert.equal(applyCommittedEntry(image, noop), { applied: [], skipped: [] })
})

test.run()
