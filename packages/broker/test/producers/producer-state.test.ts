// Proves the idempotent-producer table: in-order batches append, a resend of any of the last 5 is a duplicate with its original offsets, gaps and older resends are OUT_OF_ORDER_SEQUENCE, older epochs are fenced, a resend of a batch in flight waits for it, an aborted batch may be resent, a table rebuilt from a real PartitionLog equals the live one, and any interleaving of retries appends each batch once, in order.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeRecordBatch, isWeirError, readBatchHeader, sequenceModulus } from '@weir/protocol'
import { PartitionLog } from '@weir/storage'
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { appendDeduplicated } from '../../src/producers/append-deduplicated.js'
import {
  type CheckResult,
  type ProducerBatchHeader,
  ProducerStateTable,
  producerBatchesMax,
} from '../../src/producers/producer-state.js'

const header = (
  baseSequence: number,
  recordCount = 2,
  producerId = 7,
  producerEpoch = 0,
): ProducerBatchHeader => ({
  producerId,
  producerEpoch,
  baseSequence,
  recordCount,
})

/** check → begin → complete at `baseOffset`, as the produce path does for an append. */
function append(table: ProducerStateTable, batch: ProducerBatchHeader, baseOffset: number): void {
  assert.equal(table.check(batch), { kind: 'append' })
  table.complete(table.begin(batch), baseOffset, baseOffset + batch.recordCount - 1)
}

function throwsCode(run: () => unknown, code: 'OUT_OF_ORDER_SEQUENCE' | 'INVALID_PRODUCER_EPOCH'): void {
  try {
    run()
    assert.unreachable(`expected ${code}`)
  } catch (error) {
    assert.ok(isWeirError(error, code), String(error))
  }
}

test('producerId -1 always appends and leaves no state', () => {
  const table = new ProducerStateTable()
  const plain = header(-1, 3, -1, -1)
  assert.equal(table.check(plain), { kind: 'append' })
  table.complete(table.begin(plain), 0, 2)
  table.observe(plain, 3)
  assert.equal(table.check(plain), { kind: 'append' })
  assert.is(table.producerCount, 0)
})

test('first batch and in-order batches append; sequences wrap from 2^31 - 1 to 0', () => {
  const table = new ProducerStateTable()
  append(table, header(0), 0)
  append(table, header(2), 2)
  append(table, header(4, 3), 4)
  assert.equal(table.check(header(7)), { kind: 'append' })
  const wrapping = new ProducerStateTable()
  append(wrapping, header(sequenceModulus - 2, 2, 9), 0)
  assert.equal(wrapping.check(header(0, 1, 9)), { kind: 'append' })
  append(wrapping, header(0, 1, 9), 2)
  assert.equal(wrapping.check(header(sequenceModulus - 2, 2, 9)), {
    kind: 'duplicate',
    baseOffset: 0,
    lastOffset: 1,
  })
})

test('a resend of each of the last 5 batches is a duplicate with its original offsets', () => {
  const table = new ProducerStateTable()
  for (let index = 0; index < 8; index++) append(table, header(index * 2), 100 + index * 10)
  for (let index = 3; index < 8; index++) {
    assert.equal(table.check(header(index * 2)), {
      kind: 'duplicate',
      baseOffset: 100 + index * 10,
      lastOffset: 101 + index * 10,
    })
  }
  // Older than the last 5: no longer known; it is not the next sequence either, so Kafka's answer.
  throwsCode(() => table.check(header(4)), 'OUT_OF_ORDER_SEQUENCE')
  assert.is(producerBatchesMax, 5)
})

test('a gap, or the same base sequence with another length, is OUT_OF_ORDER_SEQUENCE', () => {
  const table = new ProducerStateTable()
  append(table, header(0), 0)
  throwsCode(() => table.check(header(3)), 'OUT_OF_ORDER_SEQUENCE')
  throwsCode(() => table.check(header(0, 5)), 'OUT_OF_ORDER_SEQUENCE')
  assert.equal(table.check(header(2)), { kind: 'append' })
})

test('an unknown producer is accepted at any sequence (its state may be gone with retention)', () => {
  const table = new ProducerStateTable()
  assert.equal(table.check(header(500)), { kind: 'append' })
})

test('epochs: an older one is fenced, a newer one must start at 0 and replaces the batches', () => {
  const table = new ProducerStateTable()
  append(table, header(0, 2, 7, 3), 0)
  throwsCode(() => table.check(header(2, 2, 7, 2)), 'INVALID_PRODUCER_EPOCH')
  throwsCode(() => table.check(header(2, 2, 7, 4)), 'OUT_OF_ORDER_SEQUENCE')
  append(table, header(0, 2, 7, 4), 2)
  throwsCode(() => table.check(header(0, 2, 7, 3)), 'INVALID_PRODUCER_EPOCH')
  assert.equal(table.check(header(0, 2, 7, 4)), { kind: 'duplicate', baseOffset: 2, lastOffset: 3 })
})

test('a resend of a batch still in flight waits for it; the next batch may follow it at once', async () => {
  const table = new ProducerStateTable()
  const first = header(0)
  assert.equal(table.check(first), { kind: 'append' })
  const token = table.begin(first)
  const resend = table.check(first) as Extract<CheckResult, { kind: 'pending' }>
  assert.is(resend.kind, 'pending')
  assert.equal(table.check(header(2)), { kind: 'append' })
  table.complete(token, 40, 41)
  assert.equal(await resend.wait, { baseOffset: 40, lastOffset: 41 })
  assert.equal(table.check(first), { kind: 'duplicate', baseOffset: 40, lastOffset: 41 })
})

test('an aborted batch is forgotten: waiters get the error, a resend appends it', async () => {
  const table = new ProducerStateTable()
  append(table, header(0), 0)
  const batch = header(2)
  const token = table.begin(batch)
  const waiting = table.check(batch) as Extract<CheckResult, { kind: 'pending' }>
  const reason = new Error('disk full')
  table.abort(token, reason)
  try {
    await waiting.wait
    assert.unreachable()
  } catch (error) {
    assert.is(error, reason)
  }
  append(table, batch, 2)
  assert.equal(table.check(batch), { kind: 'duplicate', baseOffset: 2, lastOffset: 3 })
})

test('observe keeps a replica table equal to the leader one', () => {
  const leader = new ProducerStateTable()
  const follower = new ProducerStateTable()
  let offset = 0
  for (const [producerId, epoch] of [
    [7, 0],
    [8, 0],
    [7, 0],
    [7, 1],
    [8, 0],
  ] as const) {
    const last = leader.snapshot().get(producerId)
    const next =
      last === undefined || last.epoch !== epoch
        ? 0
        : (last.batches[last.batches.length - 1]?.lastSequence ?? -1) + 1
    const batch = header(next, 3, producerId, epoch)
    append(leader, batch, offset)
    follower.observe(batch, offset)
    offset += 3
  }
  assert.equal(follower.snapshot(), leader.snapshot())
})

function batchBytes(producerId: number, baseSequence: number, count: number, producerEpoch = 0): Buffer {
  const records = Array.from({ length: count }, (_, index) => ({
    value: Buffer.from(`v${baseSequence + index}`),
  }))
  return encodeRecordBatch(records, { timestamp: 1000, producerId, producerEpoch, baseSequence })
}

test('rebuild from a real PartitionLog equals the live table, and deduplicates after reopen', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'weir-producer-state-'))
  try {
    let log = await PartitionLog.open(directory, { config: { segmentBytes: 4096, fsync: 'never' } })
    const live = new ProducerStateTable()
    const sequences = new Map<number, number>()
    for (let index = 0; index < 120; index++) {
      const producerId = index % 3 === 2 ? -1 : 100 + (index % 3)
      const count = 1 + (index % 4)
      const sequence = sequences.get(producerId) ?? 0
      sequences.set(producerId, sequence + count)
      const bytes = batchBytes(
        producerId,
        producerId === -1 ? -1 : sequence,
        count,
        producerId === -1 ? -1 : 0,
      )
      const [offsets] = await appendDeduplicated(live, [bytes], (batch) => log.append(batch))
      assert.ok(offsets)
    }
    assert.ok(log.segmentBaseOffsets.length > 2, 'the log spans several segments')
    const read = (offset: number, maxBytes: number) => log.read(offset, maxBytes)
    const rebuilt = await ProducerStateTable.rebuild(read, log.logStartOffset, log.logEndOffset)
    assert.equal(rebuilt.snapshot(), live.snapshot())
    await log.close()
    log = await PartitionLog.open(directory, { config: { segmentBytes: 4096, fsync: 'never' } })
    const reopened = await ProducerStateTable.rebuild(read, log.logStartOffset, log.logEndOffset)
    const lastOfProducer100 = reopened.snapshot().get(100)!.batches.at(-1)!
    const resend = batchBytes(
      100,
      lastOfProducer100.baseSequence,
      lastOfProducer100.lastSequence - lastOfProducer100.baseSequence + 1,
    )
    const endBefore = log.logEndOffset
    const [offsets] = await appendDeduplicated(reopened, [resend], (batch) => log.append(batch))
    assert.is(offsets!.baseOffset, lastOfProducer100.baseOffset)
    assert.is(log.logEndOffset, endBefore, 'nothing appended')
    // A partial range: only batches from startOffset on are observed.
    const tail = await ProducerStateTable.rebuild(read, lastOfProducer100.baseOffset, log.logEndOffset)
    assert.equal(tail.snapshot().get(100)!.batches.length, 1)
    await log.close()
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test('appendDeduplicated refuses a request with a gap before appending any of its batches', async () => {
  const table = new ProducerStateTable()
  const appended: number[] = []
  const append = async (batch: Buffer) => {
    const { baseSequence, recordCount } = readBatchHeader(batch)
    appended.push(baseSequence)
    return { baseOffset: baseSequence, lastOffset: baseSequence + recordCount - 1 }
  }
  await appendDeduplicated(table, [batchBytes(1, 0, 2)], append)
  try {
    await appendDeduplicated(table, [batchBytes(1, 2, 2), batchBytes(1, 9, 1)], append)
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'OUT_OF_ORDER_SEQUENCE'))
  }
  assert.equal(appended, [0])
  assert.equal(await appendDeduplicated(table, [batchBytes(1, 2, 2)], append), [
    { baseOffset: 2, lastOffset: 3 },
  ])
})

test('property: any interleaving of retries of an in-order stream appends each batch exactly once, in order', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.boolean()), { maxLength: 60 }),
      async (counts, schedule) => {
        const table = new ProducerStateTable()
        const batches: Buffer[] = []
        let sequence = 0
        for (const count of counts) {
          batches.push(batchBytes(5, sequence, count))
          sequence += count
        }
        const log: number[] = [] // base sequences in log order
        const pendingAppends: Array<() => void> = []
        const append = (batch: Buffer) =>
          new Promise<{ baseOffset: number; lastOffset: number }>((resolve) => {
            const { baseSequence, recordCount } = readBatchHeader(batch)
            const baseOffset = log.length === 0 ? 0 : sequenceOffset(log, batches)
            log.push(baseSequence)
            pendingAppends.push(() => resolve({ baseOffset, lastOffset: baseOffset + recordCount - 1 }))
          })
        // A client with one batch in flight per partition, whose sends may be retried at any time
        // (lost responses), and whose acknowledged batch lets the next one go.
        let acknowledged = 0
        const outcomes: Array<Promise<unknown>> = []
        const sendHead = () => {
          const index = acknowledged
          const batch = batches[index]
          if (batch === undefined) return
          outcomes.push(
            appendDeduplicated(table, [batch], append).then(
              ([offsets]) => {
                if (index === acknowledged) acknowledged++
                return offsets
              },
              () => undefined,
            ),
          )
        }
        sendHead()
        for (const [pick, resend, settle] of schedule) {
          if (resend) sendHead()
          if (settle && pendingAppends.length > 0)
            pendingAppends.splice(pick % pendingAppends.length, 1)[0]!()
          await flushMicrotasks()
          if (!resend && !settle) sendHead()
        }
        // Drain: settle everything, keep sending until every batch is acknowledged.
        for (let round = 0; round < 1000 && acknowledged < batches.length; round++) {
          while (pendingAppends.length > 0) pendingAppends.shift()!()
          await flushMicrotasks()
          sendHead()
          await flushMicrotasks()
        }
        while (pendingAppends.length > 0) pendingAppends.shift()!()
        await Promise.all(outcomes)
        const expected = batches.map((batch) => readBatchHeader(batch).baseSequence)
        assert.equal(log, expected)
      },
    ),
    { numRuns: 200 },
  )
})

/** The next offset of a log holding the batches whose base sequences are `log`. */
function sequenceOffset(log: number[], batches: Buffer[]): number {
  let offset = 0
  for (const sequence of log) {
    const batch = batches.find((candidate) => readBatchHeader(candidate).baseSequence === sequence)!
    offset += readBatchHeader(batch).recordCount
  }
  return offset
}

async function flushMicrotasks(): Promise<void> {
  for (let index = 0; index < 5; index++) await Promise.resolve()
}

test.run()
