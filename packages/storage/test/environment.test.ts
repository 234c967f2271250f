// Proves storage takes time, timers and randomness only from the environment it is given: segment age and retention from the clock, the interval fsync and sync rounds from the timers, keyless placement from random.
import { readdirSync, readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MemoryFileIo, PartitionLog, TopicStore } from '../src/index.js'
import { ManualTime, makeBatch, settle } from './helpers.js'

async function durableDisk(directory: string): Promise<MemoryFileIo> {
  const disk = new MemoryFileIo()
  await disk.mkdir(directory)
  for (let path = directory; path !== '/'; ) {
    path = path.slice(0, path.lastIndexOf('/')) || '/'
    await disk.syncDirectory(path)
  }
  return disk
}

test('no source file calls Date.now, Math.random or a timer except the default wiring', () => {
  const sourceDirectory = new URL('../src/', import.meta.url)
  const direct = /\b(Date\.now|Math\.random)\b|(?<![.\w])(setTimeout|setInterval|setImmediate)\s*\(/
  const offenders: string[] = []
  for (const name of readdirSync(sourceDirectory)) {
    if (name === 'storage-environment.ts') continue
    readFileSync(new URL(name, sourceDirectory), 'utf8')
      .split('\n')
      .forEach((line, index) => {
        const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '')
        if (direct.test(code)) offenders.push(`${name}:${index + 1}: ${line.trim()}`)
      })
  }
  assert.equal(offenders, [])
})

test('segment age is measured on the injected clock, not the wall clock', async () => {
  const time = new ManualTime()
  const io = await durableDisk('/log')
  const log = await PartitionLog.open('/log', {
    io,
    clock: time,
    config: { segmentMs: 1000, fsync: 'never' },
  })
  await log.append(makeBatch(1))
  await log.append(makeBatch(1))
  assert.is(log.segmentBaseOffsets.length, 1, 'no wall time passes on the injected clock')
  time.nowMs += 1000
  await log.append(makeBatch(1))
  assert.equal(log.segmentBaseOffsets, [0, 2])
  await log.close()
})

test('a TopicStore hands its clock to every log: retention by age follows it', async () => {
  const time = new ManualTime()
  const store = await TopicStore.open('/data', { io: new MemoryFileIo(), clock: time })
  const topic = await store.createTopic('t', 2, { retentionMs: 60_000, segmentBytes: 1024, fsync: 'never' })
  for (let index = 0; index < 30; index++) {
    await topic.append(index % 2, makeBatch(2, { valueBytes: 30, timestamp: time.nowMs }))
  }
  assert.is(await topic.applyRetention(), 0)
  time.nowMs += 60_001
  assert.ok((await topic.applyRetention()) >= 2)
  await store.close()
})

test('the interval fsync policy runs on the injected timers', async () => {
  const time = new ManualTime()
  const disk = await durableDisk('/log')
  const log = await PartitionLog.open('/log', {
    io: disk.attach(),
    clock: time,
    timers: time,
    config: { fsync: 250 },
  })
  assert.equal(time.intervals(), [250])
  await log.append(makeBatch(3))
  time.advance(249)
  await settle()
  disk.crash()
  assert.is(
    (await PartitionLog.open('/log', { io: disk.attach(), timers: time })).logEndOffset,
    0,
    'not yet fsynced',
  )

  const again = await PartitionLog.open('/log', {
    io: disk.attach(),
    clock: time,
    timers: time,
    config: { fsync: 250 },
  })
  await again.append(makeBatch(3))
  time.advance(250)
  await settle()
  disk.crash()
  const reopened = await PartitionLog.open('/log', {
    io: disk.attach(),
    timers: time,
    config: { fsync: 250 },
  })
  assert.is(reopened.logEndOffset, 3, 'the interval fired and fsynced')
  await reopened.close()
  assert.equal(
    time.intervals(),
    [250, 250],
    'the closed log cleared its timer; the two abandoned ones did not',
  )
})

test("a TopicStore's sync round starts on the injected timers' defer", async () => {
  const time = new ManualTime()
  const store = await TopicStore.open('/data', { io: new MemoryFileIo(), clock: time, timers: time })
  const topic = await time.drive(store.createTopic('t', 2, { fsync: 'always' }))
  let acknowledged = 0
  const appends = [0, 1].map((partition) => topic.append(partition, makeBatch(1)).then(() => acknowledged++))
  await settle()
  assert.is(acknowledged, 0)
  assert.is(time.deferredCount, 1, 'both partitions wait for one round')
  time.runDeferred()
  await Promise.all(appends)
  assert.is(store.syncStats()?.largestRound, 2)
  await time.drive(store.close())
})

test('keyless records start on the partition the injected random picks', async () => {
  for (const [random, expected] of [
    [0, 0],
    [0.99, 3],
  ] as const) {
    const store = await TopicStore.open('/data', { io: new MemoryFileIo(), random: () => random })
    const topic = await store.createTopic('t', 4, { fsync: 'never' })
    assert.is(topic.partitionFor(null), expected)
    await store.close()
  }
})

test('the old `now` option still works; `clock` wins over it', async () => {
  const io = await durableDisk('/log')
  let nowMs = 0
  const log = await PartitionLog.open('/log', {
    io,
    now: () => nowMs,
    config: { segmentMs: 10, fsync: 'never' },
  })
  await log.append(makeBatch(1))
  nowMs += 10
  await log.append(makeBatch(1))
  assert.is(log.segmentBaseOffsets.length, 2)
  await log.close()
  const clocked = await PartitionLog.open('/log', {
    io,
    now: () => (nowMs += 1000),
    clock: { now: () => 0 },
    config: { segmentMs: 10, fsync: 'never' },
  })
  await clocked.append(makeBatch(1))
  await clocked.append(makeBatch(1))
  assert.is(clocked.segmentBaseOffsets.length, 2, 'no roll: the clock stood still')
  await clocked.close()
})

test.run()
