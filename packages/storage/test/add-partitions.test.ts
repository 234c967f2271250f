// Proves a topic's partition count only grows: new logs get the topic's config, topic.json records the new count durably and last, and a crash before that record leaves the old count with the leftover directories ignored on open and replaced by empty logs on the next growth.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeRecordBatch } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type FileIo, nodeFileIo, PartitionLog, Topic, TopicStore } from '../src/index.js'
import { rejectsWith, removeTempDirectories, tempDirectory } from './helpers.js'

test.after.each(removeTempDirectories)

const batch = (value: string) => encodeRecordBatch([{ value: Buffer.from(value) }], { timestamp: 1 })

function recordedCount(dataDirectory: string, name: string): number {
  return (JSON.parse(readFileSync(join(dataDirectory, name, 'topic.json'), 'utf8')) as { partitions: number })
    .partitions
}

test('addPartitions grows the topic, the new logs take its config, and the count survives reopen', async () => {
  const dataDirectory = tempDirectory()
  const topic = await Topic.create(dataDirectory, 'orders', {
    partitions: 2,
    config: { fsync: 'never', segmentBytes: 64 * 1024 },
  })
  await topic.append(1, batch('old'))
  await topic.addPartitions(4)
  assert.is(topic.partitionCount, 4)
  assert.is(recordedCount(dataDirectory, 'orders'), 4)
  assert.is(topic.partition(1).logEndOffset, 1)
  assert.is(topic.partition(3).logEndOffset, 0)
  assert.is(topic.partition(3).config.segmentBytes, 64 * 1024)
  assert.is(topic.partition(3).config.fsync, 'never')
  await topic.append(3, batch('new'))
  await topic.close()
  const reopened = await Topic.open(dataDirectory, 'orders')
  assert.is(reopened.partitionCount, 4)
  assert.is(reopened.partition(3).logEndOffset, 1)
  assert.is(reopened.partition(1).logEndOffset, 1)
  await reopened.close()
})

test('only growth: the same or a smaller count is INVALID_CONFIG naming the current count', async () => {
  const dataDirectory = tempDirectory()
  const store = await TopicStore.open(dataDirectory)
  await store.createTopic('orders', 3, { fsync: 'never' })
  await rejectsWith(store.createPartitions('orders', 3), 'INVALID_CONFIG', /has 3 partition/)
  await rejectsWith(store.createPartitions('orders', 1), 'INVALID_CONFIG', /has 3 partition/)
  await rejectsWith(store.createPartitions('orders', 2.5), 'INVALID_CONFIG')
  await rejectsWith(store.createPartitions('missing', 5), 'UNKNOWN_TOPIC')
  assert.is((await store.createPartitions('orders', 5)).partitionCount, 5)
  await store.close()
  const reopened = await TopicStore.open(dataDirectory)
  assert.is(reopened.topic('orders').partitionCount, 5)
  await reopened.close()
})

test('a crash before topic.json is rewritten leaves the old count; leftovers are ignored, then replaced empty', async () => {
  const dataDirectory = tempDirectory()
  const topic = await Topic.create(dataDirectory, 'orders', { partitions: 2, config: { fsync: 'never' } })
  // The topic.json rewrite fails, as a crash between the new directories and the record would.
  const failingIo: FileIo = {
    ...nodeFileIo,
    writeFileAtomic: async (path, data) => {
      if (path.endsWith('topic.json')) throw Object.assign(new Error('EIO: injected'), { code: 'EIO' })
      return nodeFileIo.writeFileAtomic(path, data)
    },
  }
  await topic.close()
  const crashing = await Topic.open(dataDirectory, 'orders', { io: failingIo })
  await rejectsWith(crashing.addPartitions(4), 'STORAGE_ERROR', /adding partitions to topic orders/)
  assert.is(crashing.partitionCount, 2)
  await crashing.close()
  assert.ok(existsSync(join(dataDirectory, 'orders', '3')), 'the new directories were made first')
  assert.is(recordedCount(dataDirectory, 'orders'), 2)
  // A leftover with data in it (it can never have had acknowledged records; this proves it is not reused).
  const leftover = await PartitionLog.open(join(dataDirectory, 'orders', '2'), { config: { fsync: 'never' } })
  await leftover.append(batch('stray'))
  await leftover.close()

  const reopened = await Topic.open(dataDirectory, 'orders')
  assert.is(reopened.partitionCount, 2)
  assert.throws(() => reopened.partition(2), /partitions 0 to 1, not 2/)
  await reopened.addPartitions(3)
  assert.is(reopened.partition(2).logEndOffset, 0, 'the leftover was replaced by an empty log')
  assert.is(recordedCount(dataDirectory, 'orders'), 3)
  await reopened.close()
  const again = await Topic.open(dataDirectory, 'orders')
  assert.is(again.partitionCount, 3)
  await again.close()
})

test('concurrent growths are serialised: one wins, the other is refused by the count it then sees', async () => {
  const topic = await Topic.create(tempDirectory(), 'orders', { partitions: 1, config: { fsync: 'never' } })
  const results = await Promise.allSettled([topic.addPartitions(3), topic.addPartitions(3)])
  assert.equal(
    results.map((result) => result.status),
    ['fulfilled', 'rejected'],
  )
  assert.is(topic.partitionCount, 3)
  await topic.close()
})

test.run()
