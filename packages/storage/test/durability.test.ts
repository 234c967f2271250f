// Proves each fsync policy resolves appends only when promised (rolled segments flushed in the background included), group commit shares fsyncs, and I/O failures are typed and lose nothing.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PartitionLog } from '../src/index.js'
import {
  countingIo,
  makeBatch,
  readAll,
  rejectsWith,
  removeTempDirectories,
  settledWhileHeld,
  tempDirectory,
  values,
} from './helpers.js'

test.after.each(removeTempDirectories)

test("fsync 'always': an append does not resolve until an fsync covering it has finished", async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), { io, config: { fsync: 'always' } })
  const release = io.holdDatasync()
  const append = log.append(makeBatch(1))
  assert.not.ok(await settledWhileHeld(io, append), 'resolved while the fsync was still held')
  assert.is(log.durableEndOffset, 0)
  release()
  await append
  assert.is(log.durableEndOffset, 1)
  await log.close()
})

test("fsync 'always': concurrent appends share fsyncs (group commit)", async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), { io, config: { fsync: 'always' } })
  const before = io.counts.datasync
  await Promise.all(Array.from({ length: 200 }, () => log.append(makeBatch(1))))
  const fsyncs = io.counts.datasync - before
  assert.ok(fsyncs >= 1 && fsyncs <= 10, `${fsyncs} fsyncs for 200 concurrent appends`)
  assert.is(log.durableEndOffset, 200)
  await log.close()
})

test("fsync 'never': appends resolve after the write, with no fsync", async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), { io, config: { fsync: 'never' } })
  const before = io.counts.datasync
  for (let index = 0; index < 20; index++) await log.append(makeBatch(1))
  assert.is(io.counts.datasync, before)
  assert.is(log.durableEndOffset, 20)
  await log.close()
})

test('fsync interval: appends resolve without waiting, and a timer fsyncs', async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), { io, config: { fsync: 20 } })
  const release = io.holdDatasync()
  await log.append(makeBatch(1)) // resolves although every fsync is held
  release()
  const before = io.counts.datasync
  await log.append(makeBatch(1))
  await eventually('the 20 ms interval timer to fsync', () => io.counts.datasync > before, {
    timeoutMs: 2000,
  })
  await log.close()
})

test('a full disk on append is DISK_FULL; nothing is written and later appends succeed', async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), { io, config: { fsync: 'never' } })
  await log.append(makeBatch(1, { label: 'before' }))
  io.failNext('writev', 'ENOSPC')
  const error = await rejectsWith(log.append(makeBatch(1, { label: 'lost' })), 'DISK_FULL', /Free space/)
  assert.ok(error.retriable)
  assert.is(log.logEndOffset, 1)
  await log.append(makeBatch(1, { label: 'after' }))
  assert.equal(values(await readAll(log)), ['before-0', 'after-0'])
  await log.close()
})

test('a failed fsync fails the waiting appends with STORAGE_ERROR and stops the log taking writes', async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), { io, config: { fsync: 'always' } })
  io.failNext('datasync', 'EIO')
  await rejectsWith(log.append(makeBatch(1)), 'STORAGE_ERROR', /fsync/)
  await rejectsWith(log.append(makeBatch(1)), 'STORAGE_ERROR')
  await log.close().catch(() => undefined)
})

test('a failure to create the next segment rejects the append and leaves the log usable', async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), { io, config: { fsync: 'never', segmentBytes: 1024 } })
  await log.append(makeBatch(1, { valueBytes: 600 }))
  io.failNext('open', 'EMFILE')
  await rejectsWith(log.append(makeBatch(1, { valueBytes: 600 })), 'STORAGE_ERROR', /rolling/)
  assert.is(log.logEndOffset, 1)
  await log.append(makeBatch(1, { valueBytes: 600 }))
  assert.is(log.logEndOffset, 2)
  await log.close()
})

test('flush fsyncs whatever the policy', async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), { io, config: { fsync: 'never' } })
  await log.append(makeBatch(1))
  const before = io.counts.datasync
  await log.flush()
  assert.ok(io.counts.datasync > before)
  await log.close()
})

const isFirstSegment = (path: string) => path.endsWith('00000000000000000000.log')

for (const fsync of ['always', 'never', 20] as const) {
  test(`fsync ${JSON.stringify(fsync)}: appends roll across segments, every record reads back, reopen keeps them`, async () => {
    const directory = tempDirectory()
    const config = { fsync, segmentBytes: 1024, indexIntervalBytes: 128 }
    const log = await PartitionLog.open(directory, { config })
    const appends = Array.from({ length: 30 }, (_, index) =>
      log.append(makeBatch(1, { label: `r${index}`, valueBytes: 200 })),
    )
    for (let index = 0; index < 10; index++)
      await log.append(makeBatch(1, { label: `s${index}`, valueBytes: 200 }))
    await Promise.all(appends)
    assert.ok(log.segmentBaseOffsets.length >= 8, `${log.segmentBaseOffsets.length} segments`)
    if (fsync === 'always') assert.is(log.durableEndOffset, 40)
    const expected = values(await readAll(log))
    assert.is(expected.length, 40)
    await log.close()
    const reopened = await PartitionLog.open(directory, { config })
    assert.equal(reopened.recovery, { truncatedBytes: 0, rebuiltIndexes: 0 })
    assert.equal(values(await readAll(reopened)), expected)
    await reopened.close()
  })
}

test("fsync 'always': an append after a roll resolves only once the rolled segment's fsync has finished", async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), {
    io,
    config: { fsync: 'always', segmentBytes: 1024 },
  })
  await log.append(makeBatch(1, { valueBytes: 600 }))
  const release = io.holdDatasync(isFirstSegment)
  const append = log.append(makeBatch(1, { valueBytes: 600 })).then(() => io.events.push('append resolved'))
  assert.not.ok(await settledWhileHeld(io, append), "resolved while the rolled segment's fsync was held")
  assert.equal(log.segmentBaseOffsets, [0, 1])
  assert.is(log.logEndOffset, 2, 'the append was written to the new segment without waiting')
  assert.is(log.durableEndOffset, 1)
  release()
  await append
  assert.is(log.durableEndOffset, 2)
  const rolledSynced = io.events.lastIndexOf(`datasync done ${log.directory}/00000000000000000000.log`)
  assert.ok(rolledSynced >= 0 && rolledSynced < io.events.indexOf('append resolved'), io.events.join('\n'))
  await log.close()
})

test("fsync 'always': appends written before and after a roll in one group all wait for both segments' fsyncs", async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), {
    io,
    config: { fsync: 'always', segmentBytes: 1024 },
  })
  const release = io.holdDatasync()
  const appends = Array.from({ length: 4 }, () => log.append(makeBatch(1, { valueBytes: 600 })))
  await eventually('all four appends written', () => log.logEndOffset === 4)
  assert.is(log.segmentBaseOffsets.length, 4)
  assert.not.ok(await settledWhileHeld(io, Promise.race(appends)))
  assert.is(log.durableEndOffset, 0)
  release()
  await Promise.all(appends)
  assert.is(log.durableEndOffset, 4)
  await log.close()
})

for (const fsync of ['never', 20] as const) {
  test(`fsync ${JSON.stringify(fsync)}: a roll does not wait for the rolled segment's fsync`, async () => {
    const io = countingIo()
    const log = await PartitionLog.open(tempDirectory(), { io, config: { fsync, segmentBytes: 1024 } })
    await log.append(makeBatch(1, { valueBytes: 600 }))
    const release = io.holdDatasync(isFirstSegment)
    await log.append(makeBatch(1, { valueBytes: 600 })) // rolls; resolves although the flush is held
    await log.append(makeBatch(1, { valueBytes: 600 }))
    assert.equal(log.segmentBaseOffsets, [0, 1, 2])
    const flushed = log.flush()
    assert.not.ok(await settledWhileHeld(io, flushed), 'flush finished before the rolled segment was fsynced')
    release()
    await flushed
    await log.close()
  })
}

test("a failed background flush of a rolled segment stops the log like a failed fsync ('never')", async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), { io, config: { fsync: 'never', segmentBytes: 1024 } })
  await log.append(makeBatch(1, { valueBytes: 600 }))
  const release = io.holdDatasync(isFirstSegment)
  await log.append(makeBatch(1, { valueBytes: 600 })) // rolls; 'never' does not wait for the flush
  io.failNext('datasync', 'EIO')
  release()
  await rejectsWith(log.flush(), 'STORAGE_ERROR', /flushing rolled segment .*00000000000000000000\.log/)
  await rejectsWith(log.append(makeBatch(1)), 'STORAGE_ERROR')
  await log.close().catch(() => undefined)
})

test("a failed background flush fails the 'always' appends waiting on it", async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), {
    io,
    config: { fsync: 'always', segmentBytes: 1024 },
  })
  await log.append(makeBatch(1, { valueBytes: 600 }))
  const release = io.holdDatasync(isFirstSegment)
  const append = log.append(makeBatch(1, { valueBytes: 600 }))
  assert.not.ok(await settledWhileHeld(io, append))
  io.failNext('datasync', 'EIO')
  release()
  await rejectsWith(append, 'STORAGE_ERROR')
  await rejectsWith(log.append(makeBatch(1)), 'STORAGE_ERROR')
  await log.close().catch(() => undefined)
})

test('truncateSuffix into a flushed segment lowers the recovery point before changing it', async () => {
  const directory = tempDirectory()
  const log = await PartitionLog.open(directory, { config: { fsync: 'never', segmentBytes: 1024 } })
  for (let index = 0; index < 6; index++) await log.append(makeBatch(1, { valueBytes: 600 }))
  await log.flush()
  const recoveryPoint = () =>
    JSON.parse(readFileSync(join(directory, 'recovery-point'), 'utf8')).recoveryPoint
  assert.is(recoveryPoint(), 5)
  await log.truncateSuffix(2)
  assert.is(recoveryPoint(), 2)
  await log.close()
})

test.run()
