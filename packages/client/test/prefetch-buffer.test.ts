// Proves the prefetch buffer accounts bytes, blocks fetchers at its limit, frees space as records are taken, and drops a partition on seek.
import type { DecodedRecord } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PrefetchBuffer } from '../src/prefetch-buffer.js'

function records(from: number, count: number): DecodedRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    offset: from + index,
    timestamp: 0,
    key: null,
    value: Buffer.from(`${from + index}`),
    headers: [],
  }))
}

test('records come out in push order and bytes are released per chunk', () => {
  const buffer = new PrefetchBuffer(1000)
  buffer.push({ topic: 't', partition: 0, records: records(0, 2), bytes: 100 })
  buffer.push({ topic: 't', partition: 1, records: records(10, 1), bytes: 50 })
  assert.is(buffer.bytes, 150)
  const taken: string[] = []
  for (let index = 0; index < 3; index++) {
    const record = buffer.shift()
    taken.push(`${buffer.lastChunk?.partition}:${record?.offset}`)
  }
  assert.equal(taken, ['0:0', '0:1', '1:10'])
  assert.is(buffer.bytes, 0)
  assert.ok(buffer.isEmpty)
  assert.is(buffer.shift(), undefined)
})

test('waitForSpace holds a fetcher while the buffer is at its limit', async () => {
  const buffer = new PrefetchBuffer(100)
  buffer.push({ topic: 't', partition: 0, records: records(0, 2), bytes: 60 })
  buffer.push({ topic: 't', partition: 0, records: records(2, 2), bytes: 60 })
  assert.not.ok(buffer.hasSpace)
  let released = false
  const waiting = buffer.waitForSpace().then(() => (released = true))
  await new Promise((resolve) => setImmediate(resolve))
  assert.not.ok(released)
  buffer.shift()
  await new Promise((resolve) => setImmediate(resolve))
  assert.not.ok(released, 'half a chunk taken frees nothing')
  buffer.shift()
  await waiting
  assert.ok(released)
  assert.is(buffer.bytes, 60)
})

test('drop removes one partition and reports its first untaken offset', () => {
  const buffer = new PrefetchBuffer(1000)
  buffer.push({ topic: 't', partition: 0, records: records(0, 3), bytes: 30 })
  buffer.push({ topic: 't', partition: 1, records: records(0, 3), bytes: 30 })
  buffer.push({ topic: 't', partition: 0, records: records(3, 3), bytes: 30 })
  buffer.shift()
  assert.is(buffer.drop('t', 0), 1)
  assert.is(buffer.bytes, 30)
  assert.is(buffer.shift()?.offset, 0)
  assert.is(buffer.lastChunk?.partition, 1)
  assert.is(buffer.drop('t', 5), undefined)
})

test('waitForData resolves on push and on wakeAll', async () => {
  const buffer = new PrefetchBuffer(10)
  const first = buffer.waitForData()
  buffer.push({ topic: 't', partition: 0, records: records(0, 1), bytes: 1 })
  await first
  buffer.shift()
  const second = buffer.waitForData()
  buffer.wakeAll()
  await second
})

test.run()
