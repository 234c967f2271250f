// Proves PartitionLog.clean on real files and on MemoryFileIo: the latest record per key stays at its original offset, batch ranges and log bounds stay, indexes are rebuilt, tombstones go only after deleteRetentionMs, only closed segments below the cleanable end are touched, and a crash anywhere in a swap leaves the old segment or the cleaned one.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  type DecodedRecord,
  encodeRecordBatch,
  lastOffsetAt,
  readBatchHeader,
  splitBatches,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type FileIo, type LogConfig, MemoryFileIo, PartitionLog } from '../src/index.js'
import { ManualTime, readAll, rejectsWith, removeTempDirectories, settle, tempDirectory } from './helpers.js'

const compact: Partial<LogConfig> = {
  segmentBytes: 1024,
  indexIntervalBytes: 100,
  fsync: 'never',
  cleanupPolicy: 'compact',
  deleteRetentionMs: 60_000,
}
const keys = ['alpha', 'beta', 'gamma', 'delta']

/** Batch `index`: three updates, to keys index, index+1, index+2 (mod 4), values `${key}@${index}.${n}`. */
function updateBatch(index: number, tombstoneKey?: string): Buffer {
  const records = [0, 1, 2].map((n) => {
    const key = keys[(index + n) % keys.length]!
    const value = key === tombstoneKey ? null : Buffer.from(`${key}@${index}.${n}`)
    return { key: Buffer.from(key), value }
  })
  return encodeRecordBatch(records, { timestamp: 1_700_000_000_000 + index })
}

async function fill(log: PartitionLog, batches: number, tombstoneAt?: { batch: number; key: string }) {
  for (let index = 0; index < batches; index++) {
    await log.append(updateBatch(index, tombstoneAt?.batch === index ? tombstoneAt.key : undefined), {
      term: 3,
    })
  }
}

/** Every batch's [baseOffset, lastOffset] in the log. */
async function batchRanges(log: PartitionLog): Promise<[number, number][]> {
  const ranges: [number, number][] = []
  let offset = log.logStartOffset
  while (offset < log.logEndOffset) {
    const result = await log.read(offset, 1 << 20)
    if (result.bytes.length === 0) break
    for (const batch of splitBatches(result.bytes)) {
      ranges.push([readBatchHeader(batch).baseOffset, lastOffsetAt(batch)])
      assert.is(readBatchHeader(batch).term, 3, 'the term stays')
    }
    offset = result.nextOffset
  }
  return ranges
}

const describe = (records: readonly DecodedRecord[]) =>
  records.map((record) => `${record.offset}:${record.key}=${record.value?.toString() ?? 'null'}`)

/** What a consumer of the whole log must see after a clean up to `cleanedEnd`: latest per key below it, everything from it on. */
function expectedAfterClean(
  all: readonly DecodedRecord[],
  cleanedEnd: number,
  dropTombstones: boolean,
): string[] {
  const latest = new Map<string, number>()
  for (const record of all) if (record.offset < cleanedEnd) latest.set(String(record.key), record.offset)
  return describe(
    all.filter((record) => {
      if (record.offset >= cleanedEnd) return true
      if (latest.get(String(record.key)) !== record.offset) return false
      return !(dropTombstones && record.value === null)
    }),
  )
}

test('a clean keeps the latest record per key at its offset; batch ranges, log bounds and reopen agree', async () => {
  const directory = join(tempDirectory(), 'log')
  const log = await PartitionLog.open(directory, { config: compact })
  await fill(log, 60)
  const before = await readAll(log)
  const ranges = await batchRanges(log)
  const { logStartOffset, logEndOffset } = log
  const segments = log.segmentBaseOffsets
  assert.ok(segments.length > 3, `several segments (${segments.length})`)
  const result = await log.clean({ cleanableEndOffset: log.logEndOffset })
  const cleanedEnd = segments.at(-1)!
  assert.is(result.cleanedEndOffset, cleanedEnd, 'everything up to the active segment')
  assert.ok(result.cleanedSegments > 0 && result.recordsRemoved > 0, JSON.stringify(result))
  assert.ok(result.bytesAfter < result.bytesBefore)
  const after = await readAll(log)
  assert.equal(describe(after), expectedAfterClean(before, cleanedEnd, false))
  assert.equal(await batchRanges(log), ranges, 'every batch keeps its offset range')
  assert.is(log.logStartOffset, logStartOffset)
  assert.is(log.logEndOffset, logEndOffset)
  assert.equal(log.segmentBaseOffsets, segments)
  // Reads from an offset inside a cleaned segment land where the offset index says.
  const middle = before[Math.floor(before.length / 3)]!.offset
  const fromMiddle = await readAll(log, middle)
  assert.equal(
    describe(fromMiddle),
    expectedAfterClean(before, cleanedEnd, false).filter((entry) => Number(entry.split(':')[0]) >= middle),
  )
  assert.is(
    await log.offsetForTimestamp(1_700_000_000_000 + 59),
    before.find((record) => record.timestamp >= 1_700_000_000_059)!.offset,
  )
  await log.append(updateBatch(60), { term: 3 })
  await log.close()
  const names = readdirSync(directory)
  assert.not.ok(names.some((name) => name.endsWith('.cleaned')))
  for (const base of segments.slice(0, -1)) {
    const stem = String(base).padStart(20, '0')
    assert.ok(names.includes(`${stem}.index`) && names.includes(`${stem}.timeindex`), `indexes of ${stem}`)
  }
  const reopened = await PartitionLog.open(directory, { config: compact })
  assert.equal(
    describe((await readAll(reopened)).filter((record) => record.offset < logEndOffset)),
    describe(after),
  )
  assert.is(reopened.recovery.rebuiltIndexes, 0, 'the cleaned segments came back with their index files')
  await reopened.close()
})

test('cleaned batches appended to another log (a follower catching up) take their whole offset ranges', async () => {
  const log = await PartitionLog.open(join(tempDirectory(), 'log'), { config: compact })
  await fill(log, 40)
  await log.clean({ cleanableEndOffset: log.logEndOffset })
  const follower = await PartitionLog.open(join(tempDirectory(), 'follower'), { config: compact })
  let offset = 0
  while (offset < log.logEndOffset) {
    const { bytes, nextOffset } = await log.read(offset, 1 << 20)
    for (const batch of splitBatches(bytes)) {
      const appended = await follower.append(Buffer.from(batch), { term: 3 })
      assert.is(appended.baseOffset, readBatchHeader(batch).baseOffset)
      assert.is(appended.lastOffset, lastOffsetAt(batch))
    }
    offset = nextOffset
  }
  assert.is(follower.logEndOffset, log.logEndOffset)
  assert.equal(describe(await readAll(follower)), describe(await readAll(log)))
  await Promise.all([log.close(), follower.close()])
})

test('a clean touches neither the active segment nor anything at or above the cleanable end', async () => {
  const directory = join(tempDirectory(), 'log')
  const log = await PartitionLog.open(directory, { config: compact })
  await fill(log, 60)
  const before = await readAll(log)
  const bases = log.segmentBaseOffsets
  const end = bases[2]!
  // An end inside a segment leaves that segment whole.
  await log.clean({ cleanableEndOffset: end + 1 })
  const after = await readAll(log)
  assert.equal(describe(after), expectedAfterClean(before, end, false))
  assert.equal(
    describe(after.filter((record) => record.offset >= end)),
    describe(before.filter((record) => record.offset >= end)),
  )
  await log.close()
})

test('a tombstone stays readable until deleteRetentionMs after the first clean that passed it', async () => {
  const time = new ManualTime()
  const second = await PartitionLog.open(join(tempDirectory(), 'log'), {
    config: compact,
    clock: time,
    timers: time,
  })
  await fill(second, 40)
  // A tombstone for every key, then enough of another key to roll past them.
  const tombstones = encodeRecordBatch(
    keys.map((key) => ({ key: Buffer.from(key), value: null })),
    { timestamp: 1_700_000_100_000 },
  )
  await second.append(tombstones, { term: 3 })
  for (let index = 0; index < 40; index++) {
    const filler = encodeRecordBatch(
      [{ key: Buffer.from('other'), value: Buffer.from(`x${index}`.padEnd(40)) }],
      {
        timestamp: 1_700_000_100_000,
      },
    )
    await second.append(filler, { term: 3 })
  }
  await second.clean({ cleanableEndOffset: second.logEndOffset })
  const nulls = async () => (await readAll(second)).filter((record) => record.value === null).length
  assert.is(await nulls(), 4, 'the first clean keeps the tombstones: consumers must see deletes')
  const keyed = async () => new Set((await readAll(second)).map((record) => String(record.key)))
  assert.equal(
    [...(await keyed())].sort(),
    [...keys, 'other'].sort(),
    'older values of deleted keys are gone, tombstones remain',
  )
  time.advance(30_000)
  await second.clean({ cleanableEndOffset: second.logEndOffset })
  assert.is(await nulls(), 4, 'still within deleteRetentionMs')
  time.advance(30_000)
  await second.clean({ cleanableEndOffset: second.logEndOffset })
  assert.is(await nulls(), 0, 'removed once deleteRetentionMs passed since the first clean')
  assert.equal([...(await keyed())], ['other'])
  await second.close()
})

test('keys past keysMax spread over several cleans, each mapping from where the last one ended', async () => {
  const log = await PartitionLog.open(join(tempDirectory(), 'log'), { config: compact })
  // Every batch: a key of its own and the one hot key.
  for (let index = 0; index < 60; index++) {
    const records = [
      { key: Buffer.from(`own-${index}`), value: Buffer.from(`own-${index}`) },
      { key: Buffer.from('hot'), value: Buffer.from(`hot-${index}`) },
    ]
    await log.append(encodeRecordBatch(records, { timestamp: 1_700_000_000_000 }), { term: 3 })
  }
  const before = await readAll(log)
  const activeBase = log.segmentBaseOffsets.at(-1)!
  const ends: number[] = []
  for (let pass = 0; pass < 20 && ends.at(-1) !== activeBase; pass++) {
    ends.push((await log.clean({ cleanableEndOffset: log.logEndOffset, keysMax: 12 })).cleanedEndOffset)
  }
  assert.ok(ends.length > 2, `several cleans: ${ends}`)
  for (let index = 1; index < ends.length; index++)
    assert.ok(ends[index]! > ends[index - 1]!, `progress: ${ends}`)
  assert.is(ends.at(-1), activeBase)
  assert.equal(describe(await readAll(log)), expectedAfterClean(before, activeBase, false))
  await log.close()
})

test('a log closed during a (throttled, so slow) clean ends the clean with LOG_CLOSED', async () => {
  const time = new ManualTime()
  const log = await PartitionLog.open(join(tempDirectory(), 'log'), {
    config: compact,
    clock: time,
    timers: time,
  })
  await fill(log, 40)
  let settled = false
  const cleaning = log.clean({ cleanableEndOffset: log.logEndOffset, bytesPerSecond: 1024 })
  void cleaning.then(
    () => (settled = true),
    () => (settled = true),
  )
  await log.close()
  for (let round = 0; round < 200 && !settled; round++) {
    time.advance(60_000)
    await settle()
  }
  await rejectsWith(cleaning, 'LOG_CLOSED', /closed during a clean/)
})

test('cleanupPolicy compact turns retention off; compact,delete keeps it', async () => {
  const time = new ManualTime()
  for (const [policy, deletes] of [
    ['compact', false],
    ['compact,delete', true],
  ] as const) {
    const config = { ...compact, cleanupPolicy: policy, retentionMs: 1 }
    const log = await PartitionLog.open(join(tempDirectory(), 'log'), { config, clock: time, timers: time })
    await fill(log, 30)
    time.advance(10)
    const { deletedSegments } = await log.applyRetention()
    assert.is(deletedSegments > 0, deletes, policy)
    await log.close()
  }
})

/** The clean's file operations, numbered, on a MemoryFileIo; `crashAt` crashes the disk before that one. */
async function cleanAndCrash(crashAt: number): Promise<{ completed: boolean; disk: MemoryFileIo }> {
  const disk = new MemoryFileIo()
  for (const path of ['/data', '/data/log']) await disk.mkdir(path)
  for (const path of ['/', '/data', '/data/log']) await disk.syncDirectory(path)
  const log = await PartitionLog.open('/data/log', { io: disk.attach(), config: compact })
  await fill(log, 40)
  await log.flush()
  let operations = 0
  disk.injectFaults(() => {
    operations++
    if (operations !== crashAt) return undefined
    disk.crash()
    return 'EIO'
  })
  let completed = true
  try {
    await log.clean({ cleanableEndOffset: log.logEndOffset })
  } catch {
    completed = false
  }
  disk.injectFaults(undefined)
  if (completed) disk.crash()
  await log.close().catch(() => undefined)
  return { completed, disk }
}

test('a crash at any step of a clean leaves each segment whole: old or cleaned, offsets intact', async () => {
  const reference = new MemoryFileIo()
  for (const path of ['/data', '/data/log']) await reference.mkdir(path)
  const original = await PartitionLog.open('/data/log', { io: reference, config: compact })
  await fill(original, 40)
  const all = await readAll(original)
  const byOffset = new Map(describe(all).map((entry) => [entry.split(':')[0], entry]))
  const activeBase = original.segmentBaseOffsets.at(-1)!
  await original.close()
  let sawCompleted = false
  let sawPartial = false
  for (let crashAt = 1; crashAt < 400; crashAt++) {
    const { completed, disk } = await cleanAndCrash(crashAt)
    const io: FileIo = disk.attach()
    const log = await PartitionLog.open('/data/log', { io, config: compact })
    const records = await readAll(log)
    assert.not.ok(
      (await disk.readdir('/data/log')).some((name) => name.endsWith('.cleaned')),
      'leftovers removed',
    )
    // Every record read is one that was written, at its offset; every key's latest is there.
    for (const entry of describe(records))
      assert.is(byOffset.get(entry.split(':')[0]!), entry, `crash at ${crashAt}`)
    const latest = expectedAfterClean(all, activeBase, false)
    for (const entry of latest)
      assert.ok(describe(records).includes(entry), `crash at ${crashAt}: ${entry} kept`)
    assert.is(log.logEndOffset, all.length)
    if (records.length === all.length) sawPartial = sawPartial || !completed
    await log.close()
    if (completed) {
      sawCompleted = true
      break
    }
  }
  assert.ok(sawCompleted, 'the loop reached a crash after the clean finished')
  assert.ok(sawPartial, 'some crashes left the log uncleaned')
})

test.after(removeTempDirectories)
test.run()
