// Proves topics persist their metadata, route keys by murmur3 (pinned by the shared fixture), and the data directory refuses foreign files.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeRecordBatch, encodeRecordBatch, partitionForKey } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Topic, TopicStore } from '../src/index.js'
import { readAll, rejectsWith, removeTempDirectories, tempDirectory, values } from './helpers.js'

test.after.each(removeTempDirectories)

interface Fixture {
  cases: Array<{ key: string | { repeat: string; times: number }; partitions: Record<string, number> }>
}
const fixture = JSON.parse(
  readFileSync(new URL('../../protocol/test/fixtures/murmur3-partitions.json', import.meta.url), 'utf8'),
) as Fixture

test('a topic persists its partition count and config across reopen', async () => {
  const dataDirectory = tempDirectory()
  const topic = await Topic.create(dataDirectory, 'orders', {
    partitions: 3,
    config: { retentionMs: 60_000, fsync: 'never' },
  })
  await topic.append(1, encodeRecordBatch([{ value: Buffer.from('x') }], { timestamp: 1 }))
  await topic.close()
  const reopened = await Topic.open(dataDirectory, 'orders')
  assert.is(reopened.partitionCount, 3)
  assert.is(reopened.config.retentionMs, 60_000)
  assert.is(reopened.config.fsync, 'never')
  assert.is(reopened.partition(1).logEndOffset, 1)
  await reopened.close()
})

test('keys go to the partition the shared murmur3 fixture pins', async () => {
  const dataDirectory = tempDirectory()
  for (const count of [1, 3, 12]) {
    const topic = await Topic.create(dataDirectory, `t${count}`, {
      partitions: count,
      config: { fsync: 'never' },
    })
    for (const testCase of fixture.cases) {
      if (typeof testCase.key !== 'string') continue
      assert.is(
        topic.partitionFor(testCase.key),
        testCase.partitions[String(count)],
        `${testCase.key} over ${count}`,
      )
    }
    await topic.close()
  }
})

test('produce routes records by key, sticks keyless records to one partition per call, and reports offsets', async () => {
  const topic = await Topic.create(tempDirectory(), 'events', {
    partitions: 4,
    config: { fsync: 'never' },
    random: () => 0.3,
  })
  const keyed = ['a', 'b', 'user-42', 'a'].map((key) => ({
    key: Buffer.from(key),
    value: Buffer.from(`v-${key}`),
  }))
  const placed = await topic.produce(keyed, 1000)
  for (const [index, place] of placed.entries())
    assert.is(place.partition, partitionForKey(keyed[index]!.key, 4))
  assert.is(placed[3]!.offset, placed[0]!.offset + 1, 'same key, same partition, next offset')

  const keyless = await topic.produce([{ value: Buffer.from('n1') }, { value: Buffer.from('n2') }], 1000)
  assert.is(keyless[0]!.partition, 1)
  assert.is(keyless[1]!.partition, 1)
  const next = await topic.produce([{ value: Buffer.from('n3') }], 1000)
  assert.is(next[0]!.partition, 2, 'the sticky partition moves on after a batch')
  const stored = await readAll(topic.partition(1))
  assert.ok(values(stored).includes('n2'))
  await topic.close()
})

test('bad names, counts and partitions get typed errors', async () => {
  const dataDirectory = tempDirectory()
  await rejectsWith(Topic.create(dataDirectory, '../escape', { partitions: 1 }), 'INVALID_TOPIC')
  await rejectsWith(Topic.create(dataDirectory, '..', { partitions: 1 }), 'INVALID_TOPIC')
  await rejectsWith(Topic.create(dataDirectory, 'ok', { partitions: 0 }), 'INVALID_CONFIG')
  await rejectsWith(
    Topic.create(dataDirectory, 'ok', { partitions: 1, config: { segmentBytes: 1 } }),
    'INVALID_CONFIG',
  )
  await rejectsWith(Topic.open(dataDirectory, 'missing'), 'UNKNOWN_TOPIC')
  const topic = await Topic.create(dataDirectory, 'ok', { partitions: 2 })
  await rejectsWith(Topic.create(dataDirectory, 'ok', { partitions: 2 }), 'TOPIC_ALREADY_EXISTS')
  assert.throws(() => topic.partition(2), /partitions 0 to 1, not 2/)
  await topic.close()
})

test('a topic store creates, lists, reopens and deletes topics', async () => {
  const dataDirectory = tempDirectory()
  const store = await TopicStore.open(dataDirectory, { random: () => 0 })
  const orders = await store.createTopic('orders', 2, { fsync: 'never' })
  await store.createTopic('audit', 1)
  await orders.append(0, encodeRecordBatch([{ value: Buffer.from('kept') }], { timestamp: 1 }))
  await store.close()

  const reopened = await TopicStore.open(dataDirectory)
  assert.equal(reopened.topicNames(), ['audit', 'orders'])
  const read = await reopened.topic('orders').read(0, 0, 1024)
  assert.is(decodeRecordBatch(read.bytes).records[0]!.value!.toString(), 'kept')
  await reopened.deleteTopic('audit')
  assert.equal(reopened.topicNames(), ['orders'])
  assert.throws(() => reopened.topic('audit'), /no topic audit/)
  await reopened.close()
  assert.equal(
    await TopicStore.open(dataDirectory).then(async (store) => {
      const names = store.topicNames()
      await store.close()
      return names
    }),
    ['orders'],
  )
})

test('a data directory holding foreign files is refused', async () => {
  const dataDirectory = tempDirectory()
  writeFileSync(join(dataDirectory, 'family-photos.zip'), 'not ours')
  await rejectsWith(TopicStore.open(dataDirectory), 'NOT_A_WEIR_LOG', /family-photos\.zip/)
})

test.run()
