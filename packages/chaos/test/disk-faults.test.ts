// The disk faults change exactly what they say: one byte of a closed segment (never the last one),
// and a bounded cut off the end of the last segment.
import * as assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import { flipByteInClosedSegment, loseUnsyncedTail } from '../src/disk-faults.js'
import { seededRandom } from '../src/prng.js'

function partitionWith(segments: Record<string, Buffer>): string {
  const directory = mkdtempSync(join(tmpdir(), 'weir-chaos-disk-'))
  for (const [name, bytes] of Object.entries(segments)) writeFileSync(join(directory, name), bytes)
  return directory
}

const first = '00000000000000000000.log'
const last = '00000000000000000100.log'

test('a flip changes one byte of a closed segment and leaves the last segment alone', () => {
  const directory = partitionWith({ [first]: Buffer.alloc(1000, 7), [last]: Buffer.alloc(500, 7) })
  try {
    const what = flipByteInClosedSegment(directory, seededRandom(5))
    assert.match(what!, new RegExp(`^${first} byte \\d+ of 1000$`))
    const changed = [...readFileSync(join(directory, first))].filter((byte) => byte !== 7)
    assert.equal(changed.length, 1)
    assert.deepEqual(readFileSync(join(directory, last)), Buffer.alloc(500, 7))
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test('a partition with one segment has nothing closed to flip', () => {
  const directory = partitionWith({ [first]: Buffer.alloc(1000, 7) })
  try {
    assert.equal(flipByteInClosedSegment(directory, seededRandom(5)), undefined)
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test('losing the unsynced tail cuts at most maxBytes off the last segment only', () => {
  const directory = partitionWith({ [first]: Buffer.alloc(1000, 7), [last]: Buffer.alloc(5000, 7) })
  try {
    const lostBytes = loseUnsyncedTail(directory, seededRandom(9), 2000)
    assert.ok(lostBytes >= 0 && lostBytes <= 2000)
    assert.equal(statSync(join(directory, last)).size, 5000 - lostBytes)
    assert.equal(statSync(join(directory, first)).size, 1000)
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test.run()
