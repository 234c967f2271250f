// Proves each fsync policy resolves appends only when promised, group commit shares fsyncs, and I/O failures are typed and lose nothing.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PartitionLog } from '../src/index.js'
import {
  countingIo,
  makeBatch,
  readAll,
  rejectsWith,
  removeTempDirectories,
  tempDirectory,
  values,
} from './helpers.js'

test.after.each(removeTempDirectories)

const settled = async (promise: Promise<unknown>) => {
  let done = false
  void promise.then(
    () => (done = true),
    () => (done = true),
  )
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setTimeout(resolve, 20))
  return done
}

test("fsync 'always': an append does not resolve until an fsync covering it has finished", async () => {
  const io = countingIo()
  const log = await PartitionLog.open(tempDirectory(), { io, config: { fsync: 'always' } })
  const release = io.holdDatasync()
  const append = log.append(makeBatch(1))
  assert.not.ok(await settled(append), 'resolved while the fsync was still held')
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
  await new Promise((resolve) => setTimeout(resolve, 80))
  assert.ok(io.counts.datasync > before, 'the interval timer never fsynced')
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

test.run()
