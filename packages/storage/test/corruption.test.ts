// Proves that segments the clean-shutdown marker does not vouch for are CRC-checked at open (after a crash: all of them), that damage in a flushed segment is cut and reported with onCorruption 'truncate', that a vouched segment is not read again, and that a read's LOG_CORRUPTED says where to cut.
import { cpSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type FileIo, LogCorruption, nodeFileIo, PartitionLog } from '../src/index.js'
import { makeBatch, readAll, rejectsWith, removeTempDirectories, tempDirectory } from './helpers.js'

test.after.each(removeTempDirectories)

const config = { segmentBytes: 2048, indexIntervalBytes: 200, fsync: 'never' as const }

/** A file I/O that counts the bytes read from each segment file. */
function readCountingIo(): FileIo & { bytesRead: Map<string, number> } {
  const bytesRead = new Map<string, number>()
  const paths = new Map<number, string>()
  return {
    ...nodeFileIo,
    bytesRead,
    async open(path, options) {
      const fd = await nodeFileIo.open(path, options)
      paths.set(fd, path)
      return fd
    },
    async read(fd, position, length) {
      const bytes = await nodeFileIo.read(fd, position, length)
      const path = paths.get(fd) ?? ''
      if (path.endsWith('.log')) bytesRead.set(path, (bytesRead.get(path) ?? 0) + bytes.length)
      return bytes
    },
  }
}

async function writtenLog(batches: number) {
  const directory = tempDirectory()
  const log = await PartitionLog.open(directory, { config })
  for (let index = 0; index < batches; index++)
    await log.append(makeBatch(2, { label: `b${index}`, valueBytes: 30 }))
  return { directory, log }
}

/** What a crash leaves (every rolled segment flushed, the recovery point at the active one). */
async function crashedCopy(batches: number) {
  const { directory, log } = await writtenLog(batches)
  await log.flush()
  const copy = tempDirectory()
  cpSync(directory, copy, { recursive: true })
  const segments = log.segmentBaseOffsets
  const logEndOffset = log.logEndOffset
  await log.close()
  return { directory: copy, segments, logEndOffset }
}

const segmentFiles = (directory: string) =>
  readdirSync(directory)
    .filter((name) => name.endsWith('.log'))
    .sort()
    .map((name) => join(directory, name))

/** Flips one byte inside the records of the second batch of `path`; returns that batch's position. */
function flipInSecondBatch(path: string): number {
  const bytes = readFileSync(path)
  const firstSize = bytes.readUInt32BE(8) + 12
  bytes[firstSize + 70]! ^= 0xff
  writeFileSync(path, bytes)
  return firstSize
}

test('after a crash, damage in the middle of a flushed segment with intact indexes is found at open', async () => {
  const { directory, segments } = await crashedCopy(80)
  assert.ok(segments.length >= 5)
  flipInSecondBatch(segmentFiles(directory)[1]!)
  await rejectsWith(PartitionLog.open(directory, { config }), 'LOG_CORRUPTED', /is damaged at byte \d+/)
})

test("onCorruption 'truncate': cut at the first bad batch, every later segment dropped, the cut reported", async () => {
  const { directory, segments, logEndOffset } = await crashedCopy(80)
  const damaged = segmentFiles(directory)[1]!
  const position = flipInSecondBatch(damaged)
  const log = await PartitionLog.open(directory, { config, onCorruption: 'truncate' })
  const cutAt = segments[1]! + 2 // the second batch of two records
  assert.is(log.logEndOffset, cutAt)
  assert.equal(log.segmentBaseOffsets, segments.slice(0, 2))
  assert.is(log.recovery.corruption?.offset, cutAt)
  assert.is(log.recovery.corruption?.logEndOffsetBefore, logEndOffset)
  assert.match(
    log.recovery.corruption?.reason ?? '',
    new RegExp(`damaged at byte ${position} .*CRC mismatch`),
  )
  assert.is(log.recovery.droppedSegments, segments.length - 2)
  assert.is(readFileSync(damaged).length, position)
  assert.equal(
    (await readAll(log)).map((record) => record.offset),
    Array.from({ length: cutAt }, (_, index) => index),
  )
  // The log goes on from the cut, and a clean reopen finds nothing more.
  await log.append(makeBatch(2, { label: 'after' }))
  await log.close()
  const reopened = await PartitionLog.open(directory, { config, onCorruption: 'truncate' })
  assert.is(reopened.recovery.corruption, undefined)
  assert.is(reopened.logEndOffset, cutAt + 2)
  await reopened.close()
})

test('a clean open does not read the segments the marker vouches for; after a crash every one is read', async () => {
  const { directory, log } = await writtenLog(80)
  const closedBytes = log.sizeBytes
  await log.close()
  const io = readCountingIo()
  const reopened = await PartitionLog.open(directory, { config, io })
  const read = [...io.bytesRead.values()].reduce((total, bytes) => total + bytes, 0)
  assert.is(reopened.recovery.verifiedSegments, undefined)
  // Only what follows each segment's last index entry is read (under indexIntervalBytes each).
  assert.ok(read < closedBytes / 3, `read ${read} of ${closedBytes} bytes`)
  const crashed = tempDirectory()
  cpSync(directory, crashed, { recursive: true }) // the marker is gone while the log is open
  await reopened.close()
  const afterCrashIo = readCountingIo()
  const recovered = await PartitionLog.open(crashed, { config, io: afterCrashIo })
  const readAfterCrash = [...afterCrashIo.bytesRead.values()].reduce((total, bytes) => total + bytes, 0)
  assert.is(recovered.recovery.verifiedSegments, recovered.segmentBaseOffsets.length - 1)
  assert.ok(readAfterCrash >= closedBytes, `read ${readAfterCrash} of ${closedBytes} bytes`)
  await recovered.close()
})

test('the marker vouches for a segment at its recorded size only: one that changed is checked', async () => {
  const { directory, log } = await writtenLog(80)
  const segments = log.segmentBaseOffsets
  await log.close()
  const changed = segmentFiles(directory)[2]!
  truncateSync(changed, readFileSync(changed).length - 3) // its last batch torn
  const reopened = await PartitionLog.open(directory, { config, onCorruption: 'truncate' })
  assert.is(reopened.recovery.verifiedSegments, 1)
  assert.equal(reopened.segmentBaseOffsets, segments.slice(0, 3))
  assert.ok(reopened.recovery.corruption !== undefined)
  assert.ok(reopened.logEndOffset < segments[3]!)
  await reopened.close()
})

test("a read's LOG_CORRUPTED carries the offset where damage starts; truncateSuffix there removes it", async () => {
  const { directory, log } = await writtenLog(80)
  const segments = log.segmentBaseOffsets
  await log.close()
  flipInSecondBatch(segmentFiles(directory)[1]!) // same size: the marker still vouches, reads find it
  const reopened = await PartitionLog.open(directory, { config })
  const error = await rejectsWith(reopened.read(segments[1]! + 3, 100), 'LOG_CORRUPTED')
  assert.ok(error instanceof LogCorruption)
  assert.is(error.offset, segments[1]! + 2)
  assert.is(await reopened.truncateSuffix(error.offset), segments[1]! + 2)
  assert.is((await readAll(reopened)).length, segments[1]! + 2)
  await reopened.close()
  // A segment a read found damaged is not vouched for at the next open (here: already cut away).
  const again = await PartitionLog.open(directory, { config })
  assert.is(again.logEndOffset, segments[1]! + 2)
  await again.close()
})

test('a segment a read found damaged loses the marker: the next open checks it', async () => {
  const { directory, log } = await writtenLog(80)
  const segments = log.segmentBaseOffsets
  await log.close()
  flipInSecondBatch(segmentFiles(directory)[1]!)
  const reopened = await PartitionLog.open(directory, { config })
  await rejectsWith(reopened.read(segments[1]! + 3, 100), 'LOG_CORRUPTED')
  await reopened.close()
  const again = await PartitionLog.open(directory, { config, onCorruption: 'truncate' })
  assert.is(again.recovery.verifiedSegments, 1)
  assert.is(again.recovery.corruption?.offset, segments[1]! + 2)
  await again.close()
})

test('damage to a batch header (its length field) is located too, and the cut does not trust that header', async () => {
  const { directory, log } = await writtenLog(80)
  const segments = log.segmentBaseOffsets
  await log.close()
  const path = segmentFiles(directory)[1]!
  const bytes = readFileSync(path)
  const firstSize = bytes.readUInt32BE(8) + 12
  bytes.writeUInt32BE(0xffff, firstSize + 8) // the second batch now claims to be 64 KiB long
  writeFileSync(path, bytes)
  const reopened = await PartitionLog.open(directory, { config })
  const error = await rejectsWith(reopened.read(segments[1]! + 2, 100), 'LOG_CORRUPTED')
  assert.ok(error instanceof LogCorruption)
  assert.is(error.offset, segments[1]! + 2)
  assert.is(error.position, firstSize)
  assert.is(await reopened.truncateSuffix(error.offset), segments[1]! + 2)
  assert.is((await readAll(reopened)).length, segments[1]! + 2)
  await reopened.close()
})

test.run()
