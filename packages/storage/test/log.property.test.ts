// Properties: append → reopen → read returns exactly what was appended; a cut or corrupted active-segment tail loses only what follows the damage.
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeRecordBatch } from '@weir/protocol'
import * as fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PartitionLog } from '../src/index.js'
import { readAll, removeTempDirectories, setRecoveryPoint, tempDirectory } from './helpers.js'

test.after.each(removeTempDirectories)

const plain = { noNullPrototype: true } as const
const recordArbitrary = fc.record(
  {
    key: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
    value: fc.uint8Array({ maxLength: 200 }),
  },
  plain,
)
const batchArbitrary = fc.array(recordArbitrary, { minLength: 1, maxLength: 8 })

test('append → reopen (clean, or after a crash with or without the rolled segments flushed) → read returns exactly what was appended', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(batchArbitrary, { minLength: 1, maxLength: 25 }),
      fc.boolean(),
      fc.boolean(),
      fc.integer({ min: 1024, max: 4096 }),
      async (batches, clean, flushed, segmentBytes) => {
        const config = { segmentBytes, indexIntervalBytes: 128, fsync: 'never' as const }
        const live = tempDirectory()
        const log = await PartitionLog.open(live, { config })
        for (const records of batches) await log.append(encodeRecordBatch(records, { timestamp: 1 }))
        let directory = live
        if (!clean) {
          // Waits for background flushes, so no file is renamed while it is being copied.
          await log.flush()
          directory = tempDirectory()
          cpSync(live, directory, { recursive: true })
          // As if no rolled segment's flush had finished: recovery re-checks them all.
          if (!flushed) setRecoveryPoint(directory, 0)
        }
        await log.close()
        const reopened = await PartitionLog.open(directory, { config })
        const expected = batches.flat()
        const actual = await readAll(reopened, 0, 512)
        assert.is(actual.length, expected.length)
        actual.forEach((record, index) => {
          assert.is(record.offset, index)
          assert.equal(new Uint8Array(record.value!), expected[index]!.value)
          assert.equal(record.key === null ? null : new Uint8Array(record.key), expected[index]!.key)
        })
        await reopened.close()
        rmSync(live, { recursive: true, force: true })
        rmSync(directory, { recursive: true, force: true })
      },
    ),
    { numRuns: 40 },
  )
})

/** A crashed single-segment log and the byte range of each batch in its file. */
async function crashedSmallLog() {
  const live = tempDirectory()
  const log = await PartitionLog.open(live, { config: { fsync: 'never' } })
  const ends: number[] = []
  let size = 0
  for (let index = 0; index < 6; index++) {
    const records = Array.from({ length: 1 + (index % 3) }, (_, record) => ({
      value: Buffer.from(`b${index}r${record}`),
    }))
    const batch = encodeRecordBatch(records, { timestamp: 1 })
    await log.append(batch)
    size += batch.length
    ends.push(size)
  }
  const directory = tempDirectory()
  cpSync(live, directory, { recursive: true })
  await log.close()
  const file = readdirSync(directory).find((name) => name.endsWith('.log'))!
  const recordsBefore = (batchCount: number) =>
    Array.from({ length: batchCount }, (_, index) => 1 + (index % 3)).reduce((a, b) => a + b, 0)
  return { directory, file, bytes: readFileSync(join(directory, file)), ends, recordsBefore }
}

async function reopenAndCount(directory: string): Promise<{ end: number; values: string[] }> {
  const log = await PartitionLog.open(directory, { config: { fsync: 'never' } })
  const records = await readAll(log)
  const result = { end: log.logEndOffset, values: records.map((record) => record.value!.toString()) }
  await log.close()
  return result
}

test('a tail cut at every byte keeps exactly the batches before the cut', async () => {
  const { directory, file, bytes, ends, recordsBefore } = await crashedSmallLog()
  const expectedValues = (await reopenAndCount(directory)).values
  for (let cut = 0; cut <= bytes.length; cut++) {
    const copy = tempDirectory()
    cpSync(directory, copy, { recursive: true })
    rmSync(join(copy, 'clean-shutdown'), { force: true })
    writeFileSync(join(copy, file), bytes.subarray(0, cut))
    const whole = ends.filter((end) => end <= cut).length
    const { end, values } = await reopenAndCount(copy)
    assert.is(end, recordsBefore(whole), `cut at ${cut}`)
    assert.equal(values, expectedValues.slice(0, recordsBefore(whole)))
    rmSync(copy, { recursive: true, force: true })
  }
})

test('a corrupted byte in the active segment drops its batch and everything after, nothing before', async () => {
  const { directory, file, bytes, ends, recordsBefore } = await crashedSmallLog()
  const expectedValues = (await reopenAndCount(directory)).values
  const starts = [0, ...ends.slice(0, -1)]
  // Every byte but the term field (bytes 12-15 of a batch): the term is outside the CRC by design
  // and a corrupted term that still rises cannot be told from a real one.
  const positions = fc.integer({ min: 0, max: bytes.length - 1 }).filter((position) => {
    const batchStart = starts.filter((start) => start <= position).at(-1)!
    const within = position - batchStart
    return within < 12 || within > 15
  })
  await fc.assert(
    fc.asyncProperty(positions, fc.integer({ min: 1, max: 255 }), async (position, mask) => {
      const copy = tempDirectory()
      cpSync(directory, copy, { recursive: true })
      rmSync(join(copy, 'clean-shutdown'), { force: true })
      const damaged = Buffer.from(bytes)
      damaged[position]! ^= mask
      writeFileSync(join(copy, file), damaged)
      const hit = starts.filter((start) => start <= position).length - 1
      const { end, values } = await reopenAndCount(copy)
      assert.is(end, recordsBefore(hit), `byte ${position} ^ ${mask}`)
      assert.equal(values, expectedValues.slice(0, recordsBefore(hit)))
      rmSync(copy, { recursive: true, force: true })
    }),
    { numRuns: 150 },
  )
})

test.run()
