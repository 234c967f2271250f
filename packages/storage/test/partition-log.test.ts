// Proves the partition log assigns offsets, serves whole batches, rolls, looks up by time and truncates as documented.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  BatchField,
  decodeRecordBatch,
  encodeRecordBatch,
  isWeirError,
  readBatchHeader,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PartitionLog } from '../src/index.js'
import { makeBatch, readAll, rejectsWith, removeTempDirectories, tempDirectory, values } from './helpers.js'

test.after.each(removeTempDirectories)

const small = { segmentBytes: 4096, indexIntervalBytes: 256, fsync: 'never' as const }

test('appends assign consecutive offsets and patch baseOffset and term in place', async () => {
  const log = await PartitionLog.open(tempDirectory())
  const first = makeBatch(3)
  const second = makeBatch(2, { label: 'b' })
  assert.equal(await log.append(first, { term: 4 }), {
    baseOffset: 0,
    lastOffset: 2,
    maxTimestamp: 1_700_000_000_000,
  })
  assert.equal((await log.append(second, { term: 5 })).baseOffset, 3)
  assert.is(readBatchHeader(second).baseOffset, 3)
  assert.is(readBatchHeader(second).term, 5)
  assert.is(log.logEndOffset, 5)
  const read = await log.read(0, 1 << 20)
  assert.is(read.bytes.length, first.length + second.length)
  assert.is(read.nextOffset, 5)
  assert.equal(values(await readAll(log)), ['v-0', 'v-1', 'v-2', 'b-0', 'b-1'])
  await log.close()
})

test('a read from the middle of a batch returns that whole batch; reads respect maxBytes but return at least one batch', async () => {
  const log = await PartitionLog.open(tempDirectory(), { config: small })
  const sizes: number[] = []
  for (let index = 0; index < 20; index++) {
    const batch = makeBatch(5, { label: `b${index}`, valueBytes: 20 })
    sizes.push(batch.length)
    await log.append(batch)
  }
  const middle = await log.read(52, 1)
  assert.is(middle.bytes.length, sizes[10]!, 'one whole batch even though maxBytes is 1')
  assert.is(readBatchHeader(middle.bytes).baseOffset, 50)
  assert.is(middle.nextOffset, 55)
  const limited = await log.read(0, sizes[0]! * 3 + 5)
  assert.is(limited.bytes.length, sizes[0]! * 3)
  assert.is(limited.nextOffset, 15)
  await log.close()
})

test('reading below the start or past the end is OFFSET_OUT_OF_RANGE; reading at the end is empty', async () => {
  const log = await PartitionLog.open(tempDirectory())
  await log.append(makeBatch(2))
  for (const offset of [-1, 3, 1.5]) {
    try {
      await log.read(offset, 100)
      assert.unreachable(`offset ${offset}`)
    } catch (error) {
      assert.ok(isWeirError(error, 'OFFSET_OUT_OF_RANGE'), String(error))
      assert.match((error as Error).message, /valid offsets are 0 to 2/)
    }
  }
  const atEnd = await log.read(2, 100)
  assert.is(atEnd.bytes.length, 0)
  assert.is(atEnd.nextOffset, 2)
  await log.close()
})

test('a batch with a bad CRC or a truncated body is rejected and the log is unchanged', async () => {
  const directory = tempDirectory()
  const log = await PartitionLog.open(directory)
  await log.append(makeBatch(1))
  const damaged = makeBatch(2)
  damaged[damaged.length - 1]! ^= 1
  await rejectsWith(log.append(damaged), 'CORRUPT_MESSAGE')
  await rejectsWith(log.append(makeBatch(2).subarray(0, 70)), 'CORRUPT_MESSAGE')
  await rejectsWith(log.append(Buffer.alloc(5)), 'CORRUPT_MESSAGE')
  assert.is(log.logEndOffset, 1)
  await log.append(makeBatch(1, { label: 'after' }))
  assert.equal(values(await readAll(log)), ['v-0', 'after-0'])
  await log.close()
})

test('a batch above maxBatchBytes is MESSAGE_TOO_LARGE', async () => {
  const log = await PartitionLog.open(tempDirectory(), {
    config: { maxBatchBytes: 1000, segmentBytes: 4096 },
  })
  await rejectsWith(log.append(makeBatch(1, { valueBytes: 2000 })), 'MESSAGE_TOO_LARGE')
  await log.close()
})

test('segments roll by size, are named by base offset, and reads cross them', async () => {
  const directory = tempDirectory()
  const log = await PartitionLog.open(directory, { config: small })
  for (let index = 0; index < 100; index++)
    await log.append(makeBatch(4, { label: `b${index}`, valueBytes: 30 }))
  const bases = log.segmentBaseOffsets
  assert.ok(bases.length > 5, `only ${bases.length} segments`)
  const names = readdirSync(directory).filter((name) => name.endsWith('.log'))
  assert.equal(
    names,
    bases.map((base) => `${String(base).padStart(20, '0')}.log`),
  )
  const records = await readAll(log, 0, 300)
  assert.is(records.length, 400)
  assert.equal(
    records.map((record) => record.offset),
    Array.from({ length: 400 }, (_, index) => index),
  )
  await log.close()
})

test('segments roll by age', async () => {
  let now = 1_000_000
  const log = await PartitionLog.open(tempDirectory(), { config: { segmentMs: 1000 }, now: () => now })
  await log.append(makeBatch(1))
  now += 500
  await log.append(makeBatch(1))
  assert.is(log.segmentBaseOffsets.length, 1)
  now += 600
  await log.append(makeBatch(1))
  assert.equal(log.segmentBaseOffsets, [0, 2])
  await log.close()
})

test('offsetForTimestamp finds the first record at or after a time, across segments', async () => {
  const log = await PartitionLog.open(tempDirectory(), { config: small })
  for (let index = 0; index < 50; index++) {
    const records = [0, 1, 2].map((record) => ({
      value: Buffer.from(`r${index}-${record}`),
      timestamp: 10_000 + index * 100 + record * 10,
    }))
    await log.append(encodeRecordBatch(records, { timestamp: 0 }))
  }
  assert.ok(log.segmentBaseOffsets.length > 1)
  assert.is(await log.offsetForTimestamp(0), 0)
  assert.is(await log.offsetForTimestamp(10_000), 0)
  assert.is(await log.offsetForTimestamp(10_001), 1)
  assert.is(await log.offsetForTimestamp(12_515), 77) // batch 25 starts at 12_500: records at 12_500, 12_510, 12_520
  assert.is(await log.offsetForTimestamp(14_920), 149)
  assert.is(await log.offsetForTimestamp(14_921), undefined)
  await log.close()
})

test('truncateSuffix removes later batches and segments; appends continue from the cut', async () => {
  const log = await PartitionLog.open(tempDirectory(), { config: small })
  for (let index = 0; index < 40; index++)
    await log.append(makeBatch(2, { label: `b${index}`, valueBytes: 40 }))
  const segmentsBefore = log.segmentBaseOffsets.length
  assert.is(
    await log.truncateSuffix(21),
    20,
    'offset 21 is inside batch 10 (offsets 20-21): the whole batch goes',
  )
  assert.is(log.logEndOffset, 20)
  assert.ok(log.segmentBaseOffsets.length < segmentsBefore)
  await log.append(makeBatch(1, { label: 'new' }))
  const records = await readAll(log)
  assert.is(records.length, 21)
  assert.is(records[20]!.value!.toString(), 'new-0')
  assert.is(records[20]!.offset, 20)
  assert.is(await log.truncateSuffix(100), 21, 'past the end: nothing to do')
  assert.is(await log.truncateSuffix(0), 0)
  assert.equal(await readAll(log), [])
  await log.close()
})

test('truncateSuffix keeps offsetForTimestamp exact', async () => {
  const log = await PartitionLog.open(tempDirectory(), { config: small })
  for (let index = 0; index < 30; index++) {
    await log.append(encodeRecordBatch([{ value: Buffer.from(`x${index}`) }], { timestamp: 1000 + index }))
  }
  await log.truncateSuffix(10)
  assert.is(await log.offsetForTimestamp(1009), 9)
  assert.is(await log.offsetForTimestamp(1010), undefined)
  await log.close()
})

test('truncatePrefix moves the start; reads below it fail; whole segments below it are deleted', async () => {
  const directory = tempDirectory()
  const log = await PartitionLog.open(directory, { config: small })
  for (let index = 0; index < 80; index++) await log.append(makeBatch(2, { valueBytes: 60 }))
  const segments = log.segmentBaseOffsets
  assert.ok(segments.length > 3, `only ${segments.length} segments`)
  const target = segments[2]! + 1
  await log.truncatePrefix(target)
  assert.is(log.logStartOffset, target)
  assert.equal(log.segmentBaseOffsets[0], segments[2])
  await rejectsWith(log.read(target - 1, 100), 'OFFSET_OUT_OF_RANGE')
  assert.is((await readAll(log))[0]!.offset, target)
  await log.close()
  const reopened = await PartitionLog.open(directory, { config: small })
  assert.is(reopened.logStartOffset, target, 'the start offset persists')
  await reopened.close()
})

test('truncatePrefix past the end empties the log, which continues from there (snapshot install)', async () => {
  const directory = tempDirectory()
  const log = await PartitionLog.open(directory)
  await log.append(makeBatch(3))
  await log.truncatePrefix(1000)
  assert.is(log.logStartOffset, 1000)
  assert.is(log.logEndOffset, 1000)
  assert.equal((await log.append(makeBatch(1))).baseOffset, 1000)
  await log.close()
  const reopened = await PartitionLog.open(directory)
  assert.equal([reopened.logStartOffset, reopened.logEndOffset], [1000, 1001])
  assert.equal(reopened.segmentBaseOffsets, [1000])
  await reopened.close()
})

test('retention deletes whole old segments by bytes and by age, never the active one', async () => {
  let now = 5_000_000
  const config = { ...small, retentionBytes: 8192, retentionMs: -1 }
  const log = await PartitionLog.open(tempDirectory(), { config, now: () => now })
  for (let index = 0; index < 80; index++) {
    await log.append(makeBatch(2, { valueBytes: 40, timestamp: now - 10_000 + index }))
  }
  const before = log.segmentBaseOffsets.length
  const result = await log.applyRetention()
  assert.ok(result.deletedSegments > 0)
  assert.is(log.segmentBaseOffsets.length, before - result.deletedSegments)
  assert.ok(log.sizeBytes >= 8192 && log.sizeBytes < 8192 + 4096, `size ${log.sizeBytes}`)
  assert.is(log.logStartOffset, log.segmentBaseOffsets[0])
  await log.close()

  const aged = await PartitionLog.open(tempDirectory(), {
    config: { ...small, retentionMs: 1000 },
    now: () => now,
  })
  for (let index = 0; index < 40; index++)
    await aged.append(makeBatch(2, { valueBytes: 40, timestamp: now - 5000 }))
  now += 10
  const agedResult = await aged.applyRetention()
  assert.is(aged.segmentBaseOffsets.length, 1, 'only the active segment is left')
  assert.ok(agedResult.deletedSegments > 0)
  await aged.close()
})

test('a closed log refuses work with LOG_CLOSED', async () => {
  const log = await PartitionLog.open(tempDirectory())
  await log.close()
  await rejectsWith(log.append(makeBatch(1)), 'LOG_CLOSED')
  await rejectsWith(log.read(0, 10), 'LOG_CLOSED')
})

test('a non-empty directory that is not a Weir log is refused with a clear error', async () => {
  const directory = tempDirectory()
  const { writeFileSync } = await import('node:fs')
  writeFileSync(join(directory, 'notes.txt'), 'mine')
  try {
    await PartitionLog.open(directory)
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'NOT_A_WEIR_LOG'), String(error))
    assert.match((error as Error).message, /notes\.txt/)
  }
  writeFileSync(join(directory, 'weir-log.json'), '{"format":"something-else"}')
  await rejectsWith(PartitionLog.open(directory), 'NOT_A_WEIR_LOG')
})

test('concurrent appends keep call order and share writes', async () => {
  const log = await PartitionLog.open(tempDirectory(), { config: { ...small, segmentBytes: 1 << 20 } })
  const results = await Promise.all(
    Array.from({ length: 500 }, (_, index) => log.append(makeBatch(1, { label: `c${index}` }))),
  )
  assert.equal(
    results.map((result) => result.baseOffset),
    Array.from({ length: 500 }, (_, index) => index),
  )
  assert.equal(
    values(await readAll(log)),
    Array.from({ length: 500 }, (_, index) => `c${index}-0`),
  )
  await log.close()
})

test('batches are stored byte for byte as appended (apart from the patched offset and term)', async () => {
  const log = await PartitionLog.open(tempDirectory())
  const batch = makeBatch(3, { valueBytes: 100 })
  const copy = Buffer.from(batch)
  await log.append(batch, { term: 9 })
  const stored = (await log.read(0, 1 << 20)).bytes
  assert.equal(stored.subarray(BatchField.magic), copy.subarray(BatchField.magic))
  assert.is(decodeRecordBatch(stored).header.term, 9)
  await log.close()
})

test.run()
