// Proves the prefetch buffer accounts bytes, blocks fetchers at its limit, frees space as records are taken, drops a partition on seek, and hands a pooled frame back only once its records no longer refer to it.
import { encodeRecordBatch, patchBatch, ReceiveBufferPool } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type FetchedChunk, PrefetchBuffer } from '../src/prefetch-buffer.js'

/** One batch of `count` records from offset `from`. */
function batch(from: number, count: number): Buffer {
  const bytes = encodeRecordBatch(
    Array.from({ length: count }, (_, index) => ({ key: null, value: Buffer.from(`${from + index}`) })),
    { timestamp: 0 },
  )
  patchBatch(bytes, 0, from, 0)
  return bytes
}

/** A chunk of one batch per entry of `counts`, consecutive from `from`, costing `bytes`. */
function chunk(
  partition: number,
  from: number,
  counts: number[],
  bytes: number,
  fromOffset = from,
): FetchedChunk {
  const batches: Buffer[] = []
  let offset = from
  for (const count of counts) {
    batches.push(batch(offset, count))
    offset += count
  }
  return { topic: 't', partition, batches: Buffer.concat(batches), fromOffset, bytes }
}

test('records come out in push order and bytes are released per chunk', () => {
  const buffer = new PrefetchBuffer(1000)
  buffer.push(chunk(0, 0, [2], 100))
  buffer.push(chunk(1, 10, [1], 50))
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
  buffer.push(chunk(0, 0, [2], 60))
  buffer.push(chunk(0, 2, [2], 60))
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
  buffer.push(chunk(0, 0, [3], 30))
  buffer.push(chunk(1, 0, [3], 30))
  buffer.push(chunk(0, 3, [3], 30))
  buffer.shift()
  assert.is(buffer.drop('t', 0), 1)
  assert.is(buffer.bytes, 30)
  assert.is(buffer.shift()?.offset, 0)
  assert.is(buffer.lastChunk?.partition, 1)
  assert.is(buffer.drop('t', 5), undefined)
})

test('batches decode as they are reached; records below fromOffset are skipped', () => {
  const buffer = new PrefetchBuffer(1000)
  buffer.push(chunk(0, 0, [3, 2, 2], 70, 2))
  assert.is(buffer.drop('t', 1), undefined, 'another partition')
  const offsets: number[] = []
  for (let record = buffer.shift(); record !== undefined; record = buffer.shift()) offsets.push(record.offset)
  assert.equal(offsets, [2, 3, 4, 5, 6])
  assert.is(buffer.bytes, 0)
})

test('drop before a batch is decoded reports the offset from its header', () => {
  const buffer = new PrefetchBuffer(1000)
  buffer.push(chunk(0, 10, [2, 2], 40))
  buffer.shift()
  buffer.shift()
  assert.is(buffer.drop('t', 0), 12)
  assert.ok(buffer.isEmpty)
})

test('a corrupt batch throws CORRUPT_MESSAGE from shift', () => {
  const buffer = new PrefetchBuffer(1000)
  const bad = chunk(0, 0, [2], 20)
  bad.batches[bad.batches.length - 1]! ^= 0xff
  buffer.push(bad)
  assert.throws(() => buffer.shift(), /CRC/)
})

test('waitForData resolves on push and on wakeAll', async () => {
  const buffer = new PrefetchBuffer(10)
  const first = buffer.waitForData()
  buffer.push(chunk(0, 0, [1], 1))
  await first
  buffer.shift()
  const second = buffer.waitForData()
  buffer.wakeAll()
  await second
})

/** `chunk`'s batches copied into a buffer of `pool`, as the connection assembles a large frame. */
function pooledChunk(pool: ReceiveBufferPool, plain: FetchedChunk): FetchedChunk {
  const frame = pool.acquire(plain.batches.length)
  plain.batches.copy(frame)
  return { ...plain, batches: frame }
}

test('a pooled frame returns to the pool once its chunk is taken, and records taken stay intact', () => {
  const pool = new ReceiveBufferPool({ frameBytesMin: 1, idleBytesMax: 1 << 20 })
  const buffer = new PrefetchBuffer(1000, pool)
  const pooled = pooledChunk(pool, chunk(0, 0, [2, 1], 100))
  buffer.push(pooled)
  // The fetch loop lets go of the connection's hold once it pushed every chunk of the frame.
  pool.release(pooled.batches)
  const first = buffer.shift()!
  assert.is(pool.idleCount, 0, 'not back while records remain')
  buffer.shift()
  buffer.shift()
  assert.is(pool.idleCount, 1, 'back once the last record is taken')
  // The next frame reuses (and overwrites) the memory: records already taken must not change.
  pool.acquire(pooled.batches.length).fill(0xee)
  assert.is(first.value?.toString(), '0')
  assert.is(first.offset, 0)
})

test('dropping or clearing a partition returns its pooled frames', () => {
  const pool = new ReceiveBufferPool({ frameBytesMin: 1, idleBytesMax: 1 << 20 })
  const buffer = new PrefetchBuffer(1000, pool)
  const dropped = pooledChunk(pool, chunk(0, 0, [2], 100))
  const cleared = pooledChunk(pool, chunk(1, 0, [2], 100))
  buffer.push(dropped)
  buffer.push(cleared)
  pool.release(dropped.batches)
  pool.release(cleared.batches)
  buffer.drop('t', 0)
  assert.is(pool.idleCount, 1)
  buffer.clear()
  assert.is(pool.idleCount, 2)
})

test.run()
