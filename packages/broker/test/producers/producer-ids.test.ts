// Proves producer ids are brokerId * 2^32 + n, n reserved on disk in blocks so a restarted broker never hands out an id twice, and a broken reservation file is a typed error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ProducerIdAllocator,
  producerIdBlockSize,
  producerIdsFileName,
} from '../../src/producers/producer-ids.js'

test('ids carry the broker id, count up, and survive restarts without reuse', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'weir-producer-ids-'))
  try {
    const first = await ProducerIdAllocator.open(directory, 3)
    const ids = await Promise.all(Array.from({ length: 1500 }, () => first.allocate()))
    assert.is(new Set(ids).size, 1500)
    assert.is(Math.min(...ids), 3 * 2 ** 32)
    const stored = JSON.parse(readFileSync(join(directory, producerIdsFileName), 'utf8'))
    assert.is(stored.reservedUntil, 2 * producerIdBlockSize)
    const second = await ProducerIdAllocator.open(directory, 3)
    const next = await second.allocate()
    assert.is(next, 3 * 2 ** 32 + 2 * producerIdBlockSize)
    assert.ok(next > Math.max(...ids))
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test('a damaged reservation file is STORAGE_ERROR; a too large broker id is INVALID_CONFIG', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'weir-producer-ids-'))
  try {
    // JSON null once threw a TypeError (reading a field of null) instead of the typed error.
    for (const text of ['{"reservedUntil": "x"}', 'null', '{"reservedUntil": 1e300}']) {
      writeFileSync(join(directory, producerIdsFileName), text)
      try {
        await ProducerIdAllocator.open(directory, 1)
        assert.unreachable()
      } catch (error) {
        assert.ok(isWeirError(error, 'STORAGE_ERROR'), `${text}: ${String(error)}`)
      }
    }
    rmSync(join(directory, producerIdsFileName))
    const large = await ProducerIdAllocator.open(directory, 2 ** 21)
    try {
      await large.allocate()
      assert.unreachable()
    } catch (error) {
      assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
    }
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test.run()
