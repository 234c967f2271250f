// Replicas are compared byte for byte below the committed end: equal logs pass, a flipped byte or
// a missing batch is a disagreement, a short log is behind, and bytes above the end are ignored.
import * as assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import { compareReplicas, type StoredBatch } from '../src/replica-compare.js'
import { readSegmentBatches } from '../src/segment-batches.js'

function batch(baseOffset: number, lastOffset: number, fill: number): StoredBatch {
  return { baseOffset, lastOffset, bytes: Buffer.alloc(80, fill) }
}

const log = [batch(0, 4, 1), batch(5, 5, 2), batch(6, 9, 3)]

test('identical replicas agree', () => {
  const report = compareReplicas(
    0,
    10,
    new Map([
      [1, log],
      [2, log],
      [3, log],
    ]),
  )
  assert.deepEqual(report.disagreements, [])
  assert.deepEqual(report.behind, [])
})

test('a flipped byte below the committed end is a disagreement naming the offset', () => {
  const flipped = log.map((entry) => ({ ...entry, bytes: Buffer.from(entry.bytes) }))
  const bytes = flipped[1]!.bytes
  bytes[40] = bytes[40]! ^ 0xff
  const report = compareReplicas(
    0,
    10,
    new Map([
      [1, log],
      [2, flipped],
      [3, log],
    ]),
  )
  assert.deepEqual(report.disagreements, [{ offset: 5, brokers: [1, 2, 3] }])
})

test('a batch missing in the middle is a disagreement; a short log is behind', () => {
  const holed = [log[0]!, log[2]!]
  const short = log.slice(0, 2)
  const report = compareReplicas(
    0,
    10,
    new Map([
      [1, log],
      [2, holed],
      [3, short],
    ]),
  )
  assert.deepEqual(report.disagreements, [{ offset: 5, brokers: [1, 2, 3] }])
  assert.deepEqual(report.behind, [{ broker: 3, heldEnd: 6 }])
})

test('batches at or above the committed end are not compared', () => {
  const other = [log[0]!, log[1]!, batch(6, 9, 7)]
  const report = compareReplicas(
    0,
    6,
    new Map([
      [1, log],
      [2, other],
    ]),
  )
  assert.deepEqual(report.disagreements, [])
  assert.deepEqual(report.behind, [])
})

test('segment files are read batch by batch, stopping at a torn batch', () => {
  const directory = mkdtempSync(join(tmpdir(), 'weir-chaos-segments-'))
  try {
    const header = (baseOffset: number, lastOffsetDelta: number, totalBytes: number) => {
      const bytes = Buffer.alloc(totalBytes, 0xab)
      bytes.writeUInt32BE(0, 0)
      bytes.writeUInt32BE(baseOffset, 4)
      bytes.writeInt32BE(totalBytes - 12, 8)
      bytes.writeInt32BE(lastOffsetDelta, 23)
      return bytes
    }
    const first = Buffer.concat([header(0, 2, 70), header(3, 0, 64)])
    const second = Buffer.concat([header(4, 1, 66), header(6, 0, 64).subarray(0, 30)])
    writeFileSync(join(directory, '00000000000000000000.log'), first)
    writeFileSync(join(directory, '00000000000000000004.log'), second)
    writeFileSync(join(directory, '00000000000000000000.index'), Buffer.alloc(8))
    const batches = readSegmentBatches(directory)
    assert.deepEqual(
      batches.map(({ baseOffset, lastOffset, bytes }) => [baseOffset, lastOffset, bytes.length]),
      [
        [0, 2, 70],
        [3, 3, 64],
        [4, 5, 66],
      ],
    )
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test.run()
