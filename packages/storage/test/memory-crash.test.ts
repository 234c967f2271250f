// Proves the durability and recovery promises hold over MemoryFileIo's crash model: acknowledged batches survive a power loss, torn tails never show up as records, truncations and retention stay put.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type FileIo, type LogConfig, MemoryFileIo, PartitionLog, TopicStore } from '../src/index.js'
import { ManualTime, makeBatch, readAll, rejectsWith, seededRandom, settle, values } from './helpers.js'

const directory = '/broker-1/data/log'
const small = { segmentBytes: 2048, indexIntervalBytes: 200 }

/** A disk holding an empty, durable `directory` (its entry is the caller's to sync, as a Topic does). */
async function diskWithDirectory(): Promise<MemoryFileIo> {
  const disk = new MemoryFileIo()
  await disk.mkdir(directory)
  for (const parent of ['/', '/broker-1', '/broker-1/data']) await disk.syncDirectory(parent)
  return disk
}

function openLog(io: FileIo, config: Partial<LogConfig>): Promise<PartitionLog> {
  return PartitionLog.open(directory, { io, config })
}

/** Label of the `index`-th appended batch: its two records are `${label}-0` and `${label}-1`. */
const label = (index: number) => `b${index}`
/** Record values without makeBatch's padding. */
const unpadded = (records: Parameters<typeof values>[0]) =>
  values(records).map((value) => value.replace(/\.+$/, ''))
const expectedValues = (batches: number) =>
  Array.from({ length: batches }, (_, index) => [`${label(index)}-0`, `${label(index)}-1`]).flat()

/**
 * Fires `count` appends without waiting, lets the log run for `turns` microtask turns, crashes the
 * disk (tearing un-fsynced tails with `random`), and reports how many batches were acknowledged.
 * An append may resolve after the crash: its fsync finished before it (every later call on the
 * crashed process's handle fails), so it counts.
 */
async function appendAndCrash(
  disk: MemoryFileIo,
  config: Partial<LogConfig>,
  count: number,
  turns: number,
  random: () => number,
): Promise<number> {
  const log = await openLog(disk.attach(), config)
  let acknowledged = 0
  const appends = Array.from({ length: count }, (_, index) =>
    log.append(makeBatch(2, { label: label(index), valueBytes: 30 })).then(() => {
      // Appends resolve in order, so a count is the acknowledged prefix.
      acknowledged++
    }),
  )
  await settle(turns)
  disk.crash(random)
  await Promise.allSettled(appends)
  return acknowledged
}

async function survivors(disk: MemoryFileIo, config: Partial<LogConfig>): Promise<string[]> {
  const log = await openLog(disk.attach(), config)
  const records = await readAll(log)
  for (const [index, record] of records.entries()) assert.is(record.offset, index)
  assert.is(records.length, log.logEndOffset)
  await log.close()
  return unpadded(records)
}

test("fsync 'always': every acknowledged batch survives a crash at any point, and nothing torn shows up", async () => {
  let sawLoss = false
  let sawAcknowledged = false
  for (let seed = 0; seed < 60; seed++) {
    const random = seededRandom(seed)
    const disk = await diskWithDirectory()
    const config = { ...small, fsync: 'always' as const }
    const acknowledged = await appendAndCrash(disk, config, 40, Math.floor(random() * 400), random)
    const kept = await survivors(disk, config)
    const issued = expectedValues(40)
    assert.equal(kept, issued.slice(0, kept.length), `seed ${seed}: a prefix of what was appended`)
    assert.ok(
      kept.length >= acknowledged * 2,
      `seed ${seed}: ${acknowledged} acknowledged, ${kept.length / 2} kept`,
    )
    if (kept.length < issued.length) sawLoss = true
    if (acknowledged > 0) sawAcknowledged = true
  }
  assert.ok(sawLoss && sawAcknowledged, 'the seeds cover crashes with acknowledged and with lost appends')
})

test("fsync 'never': a crash may lose the tail but never corrupts; the log takes appends after reopening", async () => {
  for (let seed = 0; seed < 30; seed++) {
    const random = seededRandom(seed)
    const disk = await diskWithDirectory()
    const config = { ...small, fsync: 'never' as const }
    await appendAndCrash(disk, config, 60, Math.floor(random() * 600), random)
    const kept = await survivors(disk, config)
    assert.equal(kept, expectedValues(60).slice(0, kept.length), `seed ${seed}`)
    const log = await openLog(disk.attach(), config)
    const { baseOffset } = await log.append(makeBatch(1))
    assert.is(baseOffset, kept.length)
    await log.close()
  }
})

test('truncateSuffix is durable: the cut records never come back after a crash, whatever was appended since', async () => {
  for (let seed = 0; seed < 20; seed++) {
    const disk = await diskWithDirectory()
    const config = { ...small, fsync: 'always' as const }
    const log = await openLog(disk.attach(), config)
    for (let index = 0; index < 30; index++)
      await log.append(makeBatch(2, { label: `old${index}`, valueBytes: 30 }))
    const end = await log.truncateSuffix(11 + seed)
    const appended = [log.append(makeBatch(2, { label: 'new', valueBytes: 30 }))]
    await settle(seed * 3)
    disk.crash(seededRandom(seed))
    await Promise.allSettled(appended)
    const reopened = await openLog(disk.attach(), config)
    const records = await readAll(reopened)
    assert.ok(records.length >= end, `seed ${seed}: ${records.length} records, the cut left ${end}`)
    for (const record of records.slice(end)) assert.match(record.value!.toString(), /^new-/)
    for (const record of records.slice(0, end)) assert.match(record.value!.toString(), /^old/)
    await reopened.close()
  }
})

test('truncatePrefix, also past the log end, survives a crash', async () => {
  const disk = await diskWithDirectory()
  const config = { ...small, fsync: 'always' as const }
  const log = await openLog(disk.attach(), config)
  for (let index = 0; index < 40; index++)
    await log.append(makeBatch(2, { label: label(index), valueBytes: 30 }))
  await log.truncatePrefix(37)
  disk.crash(() => 0.5)
  let reopened = await openLog(disk.attach(), config)
  assert.is(reopened.logStartOffset, 37)
  assert.is(reopened.logEndOffset, 80)
  await rejectsWith(reopened.read(36, 1000), 'OFFSET_OUT_OF_RANGE')
  assert.equal(unpadded(await readAll(reopened)), expectedValues(40).slice(37))
  await reopened.truncatePrefix(500)
  disk.crash(() => 0.5)
  reopened = await openLog(disk.attach(), config)
  assert.equal([reopened.logStartOffset, reopened.logEndOffset], [500, 500])
  assert.is((await reopened.append(makeBatch(1))).baseOffset, 500)
  await reopened.close()
})

test('retention by age (on the injected clock) survives a crash: deleted segments stay deleted', async () => {
  const disk = await diskWithDirectory()
  const time = new ManualTime()
  const config = { ...small, fsync: 'always' as const, retentionMs: 60_000 }
  const log = await PartitionLog.open(directory, { io: disk.attach(), clock: time, config })
  for (let index = 0; index < 40; index++) {
    await log.append(makeBatch(2, { label: label(index), valueBytes: 30, timestamp: time.nowMs }))
  }
  time.nowMs += 60_001
  const result = await log.applyRetention()
  assert.ok(result.deletedSegments > 0)
  disk.crash(() => 0.5)
  const reopened = await PartitionLog.open(directory, { io: disk.attach(), clock: time, config })
  assert.is(reopened.logStartOffset, result.logStartOffset)
  assert.is(reopened.segmentBaseOffsets.length, log.segmentBaseOffsets.length)
  assert.equal(unpadded(await readAll(reopened)), expectedValues(40).slice(result.logStartOffset))
  await reopened.close()
})

test('a full disk mid-write (part of the batch landed) is DISK_FULL; after a crash only whole acknowledged batches are there', async () => {
  const disk = await diskWithDirectory()
  const config = { ...small, fsync: 'always' as const }
  const log = await openLog(disk.attach(), config)
  await log.append(makeBatch(2, { label: label(0), valueBytes: 30 }))
  disk.failNext('writev', 'ENOSPC', { writtenBytes: 40 })
  await rejectsWith(log.append(makeBatch(2, { label: 'lost', valueBytes: 30 })), 'DISK_FULL')
  await log.append(makeBatch(2, { label: label(1), valueBytes: 30 }))
  disk.crash(() => 0.999)
  assert.equal(await survivors(disk, config), expectedValues(2))
})

test('a failed fsync stops the log; after a crash the batches acknowledged before it are intact', async () => {
  const disk = await diskWithDirectory()
  const config = { ...small, fsync: 'always' as const }
  const log = await openLog(disk.attach(), config)
  for (let index = 0; index < 5; index++)
    await log.append(makeBatch(2, { label: label(index), valueBytes: 30 }))
  disk.failNext('datasync', 'EIO')
  await rejectsWith(log.append(makeBatch(2, { label: 'unsynced', valueBytes: 30 })), 'STORAGE_ERROR')
  await rejectsWith(log.append(makeBatch(2)), 'STORAGE_ERROR')
  disk.crash(() => 0)
  assert.equal(await survivors(disk, config), expectedValues(5))
})

test('a data directory on a fresh disk: topics, their records, deletions and growth all survive crashes', async () => {
  const disk = new MemoryFileIo()
  const dataDirectory = '/broker-1/data'
  const open = () => TopicStore.open(dataDirectory, { io: disk.attach() })
  const store = await open()
  const orders = await store.createTopic('orders', 3, { fsync: 'always' })
  await store.createTopic('doomed', 1, { fsync: 'always' })
  const placed = await orders.produce(
    Array.from({ length: 30 }, (_, index) => ({
      key: Buffer.from(`k${index}`),
      value: Buffer.from(`v${index}`),
    })),
    1_700_000_000_000,
  )
  await store.deleteTopic('doomed')
  await store.createPartitions('orders', 5)
  disk.crash(seededRandom(7))

  const reopened = await open()
  assert.equal(reopened.topicNames(), ['orders'])
  const recovered = reopened.topic('orders')
  assert.is(recovered.partitionCount, 5)
  for (const [index, { partition, offset }] of placed.entries()) {
    const records = await readAll(recovered.partition(partition))
    assert.is(records.find((record) => record.offset === offset)?.value?.toString(), `v${index}`)
  }
  await reopened.close()
})

test('a topic whose creation a crash interrupted is not there, and its name can be created again', async () => {
  for (let turns = 0; turns < 400; turns += 23) {
    const disk = new MemoryFileIo()
    const store = await TopicStore.open('/data', { io: disk.attach() })
    const creating = store.createTopic('t', 4, { fsync: 'always' })
    await settle(turns)
    disk.crash(seededRandom(turns))
    const created = await creating.then(
      () => true,
      () => false,
    )
    const reopened = await TopicStore.open('/data', { io: disk.attach() })
    if (created) assert.equal(reopened.topicNames(), ['t'])
    if (!reopened.topicNames().includes('t')) {
      const topic = await reopened.createTopic('t', 2)
      assert.is(topic.partitionCount, 2)
    }
    assert.is(reopened.topic('t').partition(0).logEndOffset, 0)
    await reopened.close()
  }
})

test.run()
