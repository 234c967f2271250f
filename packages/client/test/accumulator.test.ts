// Proves the accumulator batches per partition, seals by size and count, lingers by time, and hands out one batch per partition at a time, or up to maxInFlightBatches in order with nothing passing a batch that waits for a retry.
import { decodeRecordBatch } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Completion, RecordAccumulator, recordBytes } from '../src/accumulator.js'

const noop: Completion = { acknowledged: () => {}, failed: () => {} }
const record = (text: string) => ({ key: null, value: Buffer.from(text) })

test('records for one partition share a batch until linger expires; idle heads for the same broker go along', () => {
  const accumulator = new RecordAccumulator({ maxBatchBytes: 10_000, maxBatchRecords: 1000, lingerMs: 5 })
  for (let index = 0; index < 10; index++) accumulator.append('t', 0, record(`v${index}`), 30, noop, 100)
  accumulator.append('t', 1, record('other'), 30, noop, 102)
  accumulator.append('t', 2, record('elsewhere'), 30, noop, 102)
  assert.is(accumulator.batchCount, 3)
  const brokerOf = (batch: { partition: number }) => (batch.partition === 2 ? 2 : 1)
  assert.equal(accumulator.drain(104, { brokerOf }), [])
  assert.is(accumulator.nextReadyAtMs(), 105)
  const ready = accumulator.drain(105, { brokerOf })
  assert.equal(
    ready.map((batch) => [batch.partition, batch.recordCount]),
    [
      [0, 10],
      [1, 1],
    ],
    'partition 1 has not lingered 5 ms yet but shares the broker of partition 0; partition 2 does not',
  )
  assert.is(accumulator.drain(107, { brokerOf })[0]!.partition, 2)
})

test('a batch seals when the next record would pass maxBatchBytes or maxBatchRecords', () => {
  const bySize = new RecordAccumulator({ maxBatchBytes: 100, maxBatchRecords: 1000, lingerMs: 1000 })
  for (let index = 0; index < 7; index++) bySize.append('t', 0, record('x'), 30, noop, 0)
  assert.is(bySize.batchCount, 3) // 90 + 90 + 30
  const ready = bySize.drain(0)
  assert.is(ready.length, 1, 'one batch per partition at a time')
  assert.is(ready[0]!.recordCount, 3)
  const byCount = new RecordAccumulator({ maxBatchBytes: 1 << 20, maxBatchRecords: 2, lingerMs: 1000 })
  const result = byCount.append('t', 0, record('a'), 10, noop, 0)
  assert.not.ok(result.sealed)
  assert.ok(byCount.append('t', 0, record('b'), 10, noop, 0).sealed)
})

test('a record larger than maxBatchBytes goes alone', () => {
  const accumulator = new RecordAccumulator({ maxBatchBytes: 100, maxBatchRecords: 1000, lingerMs: 1000 })
  accumulator.append('t', 0, record('small'), 10, noop, 0)
  const big = accumulator.append('t', 0, record('big'), 500, noop, 0)
  assert.ok(big.sealed)
  assert.is(big.recordCount, 1)
  assert.is(accumulator.batchCount, 2)
})

test('the next batch of a partition is handed out only after the head is removed', () => {
  const accumulator = new RecordAccumulator({ maxBatchBytes: 50, maxBatchRecords: 1000, lingerMs: 0 })
  for (let index = 0; index < 4; index++) accumulator.append('t', 0, record(`${index}`), 30, noop, 0)
  const [first] = accumulator.drain(0)
  assert.ok(first?.busy)
  assert.equal(accumulator.drain(0), [])
  accumulator.remove(first!)
  const [second] = accumulator.drain(0)
  assert.is.not(second, first)
  assert.is(decodeRecordBatch(second!.builder.build()).records[0]!.value!.toString(), '1')
  assert.throws(() => accumulator.remove(first!), /assertion/)
})

test('records appended while the head is in flight start a new batch', () => {
  const accumulator = new RecordAccumulator({ maxBatchBytes: 1000, maxBatchRecords: 1000, lingerMs: 0 })
  accumulator.append('t', 0, record('a'), 10, noop, 0)
  const [head] = accumulator.drain(0)
  accumulator.append('t', 0, record('b'), 10, noop, 0)
  assert.is(head!.recordCount, 1)
  assert.is(accumulator.batchCount, 2)
})

test('flushing hands out lingering batches at once', () => {
  const accumulator = new RecordAccumulator({ maxBatchBytes: 1000, maxBatchRecords: 1000, lingerMs: 60_000 })
  accumulator.append('a', 0, record('a'), 10, noop, 0)
  accumulator.append('b', 3, record('b'), 10, noop, 0)
  assert.is(accumulator.drain(1, { flushing: true }).length, 2)
  assert.is(accumulator.nextReadyAtMs(), undefined)
})

test('with maxInFlightBatches, batches behind in-flight ones go in order up to the bound', () => {
  const limits = { maxBatchBytes: 50, maxBatchRecords: 1000, lingerMs: 0, maxInFlightBatches: 3 }
  const accumulator = new RecordAccumulator(limits)
  for (let index = 0; index < 6; index++) accumulator.append('t', 0, record(`${index}`), 30, noop, 0)
  const sent = [accumulator.drain(0), accumulator.drain(0), accumulator.drain(0), accumulator.drain(0)]
  assert.equal(
    sent.map((batches) => batches.length),
    [1, 1, 1, 0],
    'one batch per partition per call, three in flight at most',
  )
  const [first, second, third] = sent.map((batches) => batches[0]!)
  assert.equal(
    [first!.sentBehind, second!.sentBehind, third!.sentBehind],
    [false, true, true],
    'sentBehind marks a batch that left while an earlier one was unacknowledged',
  )
  // An acknowledgement may come for a batch behind the head (its predecessor's answer was lost).
  accumulator.remove(second!)
  assert.is(accumulator.batchCount, 5)
  assert.equal(
    accumulator.drain(0),
    [],
    'its slot stays taken while the head is unanswered: the leader keeps only the last few batches, and a resend of the head must stay within them',
  )
  // The head's attempt fails: nothing behind it may go until it is sent again.
  accumulator.remove(third!)
  accumulator.attemptFailed(first!)
  assert.equal(accumulator.drain(0), [], 'nothing goes while the head waits for a retry')
  first!.busy = false
  const [again] = accumulator.drain(0)
  assert.is(again, first, 'the retried head goes first')
  assert.equal(accumulator.drain(0), [], 'still no slot: the window starts at the head')
  accumulator.remove(first!)
  assert.is(accumulator.batchCount, 3, 'the head and the two answered behind it are gone')
  const [fourth, fifth] = [accumulator.drain(0), accumulator.drain(0)].map((batches) => batches[0]!)
  assert.is(fourth!.recordCount, 1, 'the fourth goes once the head is answered')
  assert.is(fifth!.recordCount, 1, 'then the fifth behind it')
  assert.equal(accumulator.drain(0), [], 'the sixth is not full: it waits for an answer, gathering sends')
  assert.is(accumulator.nextReadyAtMs(), undefined, 'and no linger timer is due for it')
  accumulator.remove(fourth!)
  assert.equal(accumulator.drain(0), [], 'even when a slot is free')
  assert.is(accumulator.drain(0, { flushing: true }).length, 1, 'a flush sends it')
})

test('a resend of the oldest unanswered batch stays within the last inFlightBatchesMax batches sent', () => {
  // Model of the leader's dedup window: a random order of answers, lost answers and resends never
  // sends a batch more than maxInFlightBatches - 1 batches after the oldest one still unanswered.
  const limits = { maxBatchBytes: 50, maxBatchRecords: 1000, lingerMs: 0, maxInFlightBatches: 5 }
  let seed = 7
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed / 2 ** 31
  }
  for (let round = 0; round < 200; round++) {
    const accumulator = new RecordAccumulator(limits)
    const order = new Map<object, number>()
    for (let index = 0; index < 40; index++) {
      const batch = accumulator.append('t', 0, record(`${index}`), 30, noop, 0)
      order.set(batch, index)
    }
    const unanswered = new Set<ReturnType<typeof accumulator.drain>[number]>()
    const answered = new Set<object>()
    for (let step = 0; step < 400 && answered.size < 40; step++) {
      for (let sent = accumulator.drain(0, { flushing: true }); sent.length > 0; ) {
        for (const batch of sent) {
          const oldest = Math.min(
            ...[...order.keys()].filter((b) => !answered.has(b)).map((b) => order.get(b)!),
          )
          assert.ok(
            order.get(batch)! - oldest < 5,
            `batch ${order.get(batch)} sent while ${oldest} is unanswered`,
          )
          unanswered.add(batch)
        }
        sent = accumulator.drain(0, { flushing: true })
      }
      const inFlight = [...unanswered].filter((batch) => batch.inFlight)
      const picked = inFlight[Math.floor(random() * inFlight.length)]
      if (picked === undefined) continue
      if (random() < 0.3) {
        accumulator.attemptFailed(picked) // the answer was lost: resent later
        picked.busy = false
      } else {
        unanswered.delete(picked)
        answered.add(picked)
        accumulator.remove(picked)
      }
    }
    assert.is(answered.size, 40, 'every batch was answered in the end')
  }
})

test('a batch after one that filled starts at its size instead of growing from 16 KiB', () => {
  const accumulator = new RecordAccumulator({ maxBatchBytes: 64 * 1024, maxBatchRecords: 1000, lingerMs: 0 })
  const value = Buffer.alloc(1000)
  let first: ReturnType<typeof accumulator.append> | undefined
  for (let index = 0; index < 200; index++) {
    const batch = accumulator.append('t', 0, { key: null, value }, 1024, noop, 0)
    first ??= batch
  }
  const batches = [...accumulator.pending()]
  assert.ok(batches.length >= 3)
  assert.ok(first!.filled)
  const capacity = (batch: (typeof batches)[number]) => batch.builder.build().buffer.byteLength
  assert.is(capacity(batches[0]!), 64 * 1024, 'the first grew from 16 KiB by doubling')
  const filledBytes = batches[0]!.builder.sizeBytes
  assert.is(capacity(batches[1]!), filledBytes, 'the second started at the size the first reached')
  accumulator.drain(0, { flushing: true })
  const after = new RecordAccumulator({ maxBatchBytes: 64 * 1024, maxBatchRecords: 1000, lingerMs: 0 })
  after.append('t', 0, record('a'), 10, noop, 0)
  after.drain(0)
  after.append('t', 0, record('b'), 10, noop, 0)
  const [, lingered] = [...after.pending()]
  assert.is(capacity(lingered!), 16 * 1024, 'after a batch sent unfilled: small again')
})

test('recordBytes grows with key, value and headers', () => {
  const base = recordBytes({ value: Buffer.alloc(10) })
  assert.ok(recordBytes({ key: Buffer.alloc(5), value: Buffer.alloc(10) }) === base + 5)
  assert.ok(
    recordBytes({ value: Buffer.alloc(10), headers: [{ key: 'h', value: Buffer.alloc(4) }] }) > base + 4,
  )
})

test.run()
