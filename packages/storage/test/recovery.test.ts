// Proves reopening after a crash keeps every durable batch, cuts torn or corrupt tails from the recovery point on, rebuilds indexes, and reports damage below the recovery point.
import { spawn } from 'node:child_process'
import { cpSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LogCorruption, PartitionLog } from '../src/index.js'
import {
  countingIo,
  makeBatch,
  readAll,
  rejectsWith,
  removeTempDirectories,
  setRecoveryPoint,
  tempDirectory,
  values,
} from './helpers.js'

test.after.each(removeTempDirectories)

const small = { segmentBytes: 2048, indexIntervalBytes: 200, fsync: 'never' as const }

/**
 * A log written and then abandoned without close(): what a crash leaves behind once the
 * background flushes of rolled segments have finished (the recovery point is at the active segment).
 */
async function crashedLog(batches: number, config = small) {
  const live = tempDirectory()
  const log = await PartitionLog.open(live, { config })
  for (let index = 0; index < batches; index++)
    await log.append(makeBatch(2, { label: `b${index}`, valueBytes: 30 }))
  await log.flush()
  const copy = tempDirectory()
  cpSync(live, copy, { recursive: true })
  await log.close()
  return { directory: copy, segments: log.segmentBaseOffsets }
}

const recoveryPointIn = (directory: string) =>
  (JSON.parse(readFileSync(join(directory, 'recovery-point'), 'utf8')) as { recoveryPoint: number })
    .recoveryPoint

function logFiles(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.log'))
    .sort()
}

test('after a crash, an intact log reopens with every batch', async () => {
  const { directory } = await crashedLog(30)
  const log = await PartitionLog.open(directory, { config: small })
  assert.is(log.recovery.truncatedBytes, 0)
  assert.is(log.logEndOffset, 60)
  assert.is((await readAll(log)).length, 60)
  await log.close()
})

test('a torn tail of the active segment is cut at the last whole batch', async () => {
  const { directory } = await crashedLog(30)
  const active = join(directory, logFiles(directory).at(-1)!)
  const size = readFileSync(active).length
  truncateSync(active, size - 7)
  const log = await PartitionLog.open(directory, { config: small })
  assert.ok(log.recovery.truncatedBytes > 0)
  assert.match(log.recovery.truncationReason ?? '', /cut off/)
  assert.is(log.logEndOffset, 58)
  const records = await readAll(log)
  assert.equal(
    values(records)
      .slice(-2)
      .map((value) => value.replace(/\.+$/, '')),
    ['b28-0', 'b28-1'],
  )
  await log.append(makeBatch(1, { label: 'next' }))
  assert.is((await readAll(log)).at(-1)!.offset, 58)
  await log.close()
})

test('garbage after the last batch (zeros from a half-finished write) is cut', async () => {
  const { directory } = await crashedLog(5)
  const active = join(directory, logFiles(directory).at(-1)!)
  writeFileSync(active, Buffer.concat([readFileSync(active), Buffer.alloc(300)]))
  const log = await PartitionLog.open(directory, { config: small })
  assert.is(log.recovery.truncatedBytes, 300)
  assert.is(log.logEndOffset, 10)
  await log.close()
})

test('a clean close needs no recovery and keeps indexes', async () => {
  const directory = tempDirectory()
  const log = await PartitionLog.open(directory, { config: small })
  for (let index = 0; index < 40; index++) await log.append(makeBatch(2, { valueBytes: 30 }))
  await log.close()
  const reopened = await PartitionLog.open(directory, { config: small })
  assert.equal(reopened.recovery, { truncatedBytes: 0, rebuiltIndexes: 0 })
  assert.is(reopened.logEndOffset, 80)
  assert.is((await readAll(reopened, 33)).length, 47)
  await reopened.close()
})

test('missing or damaged index files are rebuilt from the log', async () => {
  const directory = tempDirectory()
  const log = await PartitionLog.open(directory, { config: small })
  for (let index = 0; index < 40; index++) await log.append(makeBatch(2, { valueBytes: 30 }))
  await log.close()
  const indexes = readdirSync(directory).filter((name) => name.endsWith('.index'))
  rmSync(join(directory, indexes[0]!))
  writeFileSync(join(directory, indexes[1]!), Buffer.from('not an index'))
  const timeIndexes = readdirSync(directory).filter((name) => name.endsWith('.timeindex'))
  rmSync(join(directory, timeIndexes[2]!))
  const reopened = await PartitionLog.open(directory, { config: small })
  assert.is(reopened.recovery.rebuiltIndexes, 3)
  assert.equal(
    (await readAll(reopened, 0, 150)).map((record) => record.offset),
    Array.from({ length: 80 }, (_, index) => index),
  )
  await reopened.close()
})

test('damage inside a closed segment whose index is gone is LOG_CORRUPTED naming file and position', async () => {
  const { directory } = await crashedLog(30)
  const closed = join(directory, logFiles(directory)[0]!)
  rmSync(closed.replace(/\.log$/, '.index'))
  const bytes = readFileSync(closed)
  const firstSize = bytes.readUInt32BE(8) + 12
  bytes[firstSize + 70]! ^= 0xff // inside the records of the second batch
  writeFileSync(closed, bytes)
  await rejectsWith(
    PartitionLog.open(directory, { config: small }),
    'LOG_CORRUPTED',
    new RegExp(`00000000000000000000\\.log is damaged at byte ${firstSize} of ${bytes.length}: CRC mismatch`),
  )
})

test('damage inside a closed segment with intact indexes is reported by the read that reaches it', async () => {
  const directory = tempDirectory()
  const log = await PartitionLog.open(directory, { config: small })
  for (let index = 0; index < 40; index++) await log.append(makeBatch(2, { valueBytes: 30 }))
  await log.close()
  const closed = join(directory, logFiles(directory)[0]!)
  const bytes = readFileSync(closed)
  const firstSize = bytes.readUInt32BE(8) + 12
  bytes[firstSize + 70]! ^= 0xff
  writeFileSync(closed, bytes)
  const reopened = await PartitionLog.open(directory, { config: small })
  assert.is((await reopened.read(0, 1)).bytes.length, firstSize, 'the batch before the damage is served')
  const error = await rejectsWith(
    reopened.read(2, 1),
    'LOG_CORRUPTED',
    new RegExp(`is damaged at byte ${firstSize} \\(offset 2\\): CRC mismatch`),
  )
  assert.ok(error instanceof LogCorruption)
  assert.is(error.offset, 2, 'the damage starts at the second batch')
  await reopened.close()
})

test('a batch whose offset does not follow its predecessor marks the start of a bad tail', async () => {
  const { directory } = await crashedLog(4)
  const active = join(directory, logFiles(directory).at(-1)!)
  const bytes = readFileSync(active)
  const firstSize = bytes.readUInt32BE(8) + 12
  bytes.writeUInt32BE(1, firstSize) // high word of the second batch's baseOffset: outside the CRC
  writeFileSync(active, bytes)
  const log = await PartitionLog.open(directory, { config: small })
  assert.match(log.recovery.truncationReason ?? '', /baseOffset/)
  assert.is(log.logEndOffset, 2)
  await log.close()
})

test('kill -9 during fsync=always appends: every acknowledged record survives, intact', async () => {
  const directory = tempDirectory()
  const here = dirname(fileURLToPath(import.meta.url))
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'fixtures', 'crash-writer.ts'), directory],
    {
      cwd: join(here, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  let acked = -1
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}`)),
    )
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const lines = output.split('\n')
      output = lines.pop()!
      for (const line of lines) if (line.startsWith('acked ')) acked = Number(line.slice(6))
      if (acked >= 3000) child.kill('SIGKILL')
    })
  })
  const log = await PartitionLog.open(directory, { config: { segmentBytes: 64 * 1024 } })
  assert.ok(log.logEndOffset > acked, `log ends at ${log.logEndOffset}, ${acked} was acknowledged`)
  const records = await readAll(log, 0, 1 << 20)
  assert.is(records.length, log.logEndOffset)
  records.forEach((record, index) => {
    assert.is(record.offset, index)
    assert.is(record.value!.toString(), `record-${index}`)
  })
  await log.close()
})

test('from the recovery point on, every segment is re-checked; an intact one is flushed and the point moves to the active segment', async () => {
  const { directory, segments } = await crashedLog(30)
  assert.ok(segments.length >= 3)
  setRecoveryPoint(directory, 0) // no background flush had finished
  for (const name of readdirSync(directory)) if (/index$/.test(name)) rmSync(join(directory, name))
  const log = await PartitionLog.open(directory, { config: small })
  assert.equal(log.recovery, { truncatedBytes: 0, rebuiltIndexes: 0 })
  assert.is(log.logEndOffset, 60)
  assert.is(recoveryPointIn(directory), segments.at(-1)!)
  const indexes = readdirSync(directory).filter((name) => name.endsWith('.index'))
  assert.is(indexes.length, segments.length - 1, 'closed segments got their index files back')
  assert.is((await readAll(log)).length, 60)
  await log.close()
})

test('a torn segment before the last cuts the log there and deletes every later segment', async () => {
  const { directory, segments } = await crashedLog(30)
  const files = logFiles(directory)
  const secondLast = files.at(-2)!
  setRecoveryPoint(directory, segments.at(-2)!)
  const path = join(directory, secondLast)
  truncateSync(path, readFileSync(path).length - 7)
  const last = join(directory, files.at(-1)!)
  truncateSync(last, readFileSync(last).length - 7)
  const log = await PartitionLog.open(directory, { config: small })
  assert.is(log.recovery.droppedSegments, 1)
  assert.match(log.recovery.truncationReason ?? '', new RegExp(`${secondLast}.*cut off`))
  assert.equal(log.segmentBaseOffsets, segments.slice(0, -1))
  assert.is(log.logEndOffset, segments.at(-1)! - 2, 'the torn batch (2 records) goes')
  assert.equal(logFiles(directory), files.slice(0, -1))
  const records = await readAll(log)
  assert.equal(
    records.map((record) => record.offset),
    Array.from({ length: segments.at(-1)! - 2 }, (_, index) => index),
  )
  await log.append(makeBatch(1, { label: 'next' }))
  assert.is(log.logEndOffset, segments.at(-1)! - 1)
  await log.close()
})

test('a segment after the recovery point that ends short of its successor (lost tail pages) cuts the log there', async () => {
  const { directory, segments } = await crashedLog(30)
  setRecoveryPoint(directory, segments.at(-2)!)
  const path = join(directory, logFiles(directory).at(-2)!)
  const bytes = readFileSync(path)
  writeFileSync(path, bytes.subarray(0, bytes.readUInt32BE(8) + 12)) // only its first batch
  const log = await PartitionLog.open(directory, { config: small })
  assert.is(log.logEndOffset, segments.at(-2)! + 2)
  assert.match(log.recovery.truncationReason ?? '', /short of the next segment/)
  assert.is(log.recovery.droppedSegments, 1)
  await log.close()
})

test('damage below the recovery point is still LOG_CORRUPTED, even one segment before it', async () => {
  const { directory, segments } = await crashedLog(30)
  setRecoveryPoint(directory, segments.at(-2)!)
  const closed = join(directory, logFiles(directory).at(-3)!)
  rmSync(closed.replace(/\.log$/, '.index'))
  const bytes = readFileSync(closed)
  bytes[bytes.length - 5]! ^= 0xff
  writeFileSync(closed, bytes)
  await rejectsWith(
    PartitionLog.open(directory, { config: small }),
    'LOG_CORRUPTED',
    /is damaged at byte \d+/,
  )
})

test('a log without a recovery-point file (written before they existed) trusts its closed segments', async () => {
  const { directory } = await crashedLog(30)
  rmSync(join(directory, 'recovery-point'))
  const closed = join(directory, logFiles(directory)[0]!)
  rmSync(closed.replace(/\.log$/, '.index'))
  const bytes = readFileSync(closed)
  bytes[bytes.length - 5]! ^= 0xff
  writeFileSync(closed, bytes)
  await rejectsWith(
    PartitionLog.open(directory, { config: small }),
    'LOG_CORRUPTED',
    /00000000000000000000\.log/,
  )
})

test("crash while rolled segments are still unflushed ('always'): the last two segments torn, every acknowledged record survives", async () => {
  const io = countingIo()
  const live = tempDirectory()
  const config = { ...small, fsync: 'always' as const }
  const log = await PartitionLog.open(live, { io, config })
  for (let index = 0; index < 30; index++)
    await log.append(makeBatch(2, { label: `a${index}`, valueBytes: 30 }))
  await log.flush() // the recovery point reaches the active segment
  const acknowledged = log.logEndOffset
  const segmentsBefore = log.segmentBaseOffsets.length
  const release = io.holdDatasync()
  // Two rolls' worth of appends: written, but neither their fsync nor the rolls' flushes finish.
  const pending = Array.from({ length: 40 }, (_, index) =>
    log.append(makeBatch(2, { label: `p${index}`, valueBytes: 30 })),
  )
  await eventually('the 40 appends written', () => log.logEndOffset === acknowledged + 80, {
    timeoutMs: 10_000,
  })
  const segments = log.segmentBaseOffsets
  assert.ok(segments.length >= segmentsBefore + 2, `${segments.length} segments`)
  assert.is(log.durableEndOffset, acknowledged)
  const copy = tempDirectory()
  cpSync(live, copy, { recursive: true })
  release()
  await Promise.all(pending)
  await log.close()

  assert.is(recoveryPointIn(copy), segments[segmentsBefore - 1]!, 'the crash came before the flushes')
  const files = logFiles(copy)
  for (const name of files.slice(-2))
    truncateSync(join(copy, name), readFileSync(join(copy, name)).length - 7)
  const recovered = await PartitionLog.open(copy, { config })
  assert.ok(recovered.logEndOffset >= acknowledged)
  assert.is(recovered.logEndOffset, segments.at(-1)! - 2)
  assert.is(recovered.recovery.droppedSegments, 1)
  const records = await readAll(recovered)
  assert.is(records.length, recovered.logEndOffset)
  assert.equal(
    values(records.slice(0, acknowledged)).map((value) => value.replace(/\.+$/, '')),
    Array.from({ length: 30 }, (_, index) => [`a${index}-0`, `a${index}-1`]).flat(),
  )
  await recovered.close()
})

test.run()
