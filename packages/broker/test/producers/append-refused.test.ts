// Proves that a batch whose append is refused at once (the Raft leader throws NOT_LEADER while it
// hands leadership over) is not left in flight: the resend of the same batch is appended, instead
// of waiting on the refused copy until its request times out.
import { encodeRecordBatch, readBatchHeader, WeirError } from '@weir/protocol'
import { withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { appendDeduplicated } from '../../src/producers/append-deduplicated.js'
import { ProducerStateTable } from '../../src/producers/producer-state.js'

function idempotentBatch(baseSequence: number): Buffer {
  const records = [{ value: Buffer.from('a') }, { value: Buffer.from('b') }]
  return encodeRecordBatch(records, {
    timestamp: 1_700_000_000_000,
    producerId: 7,
    producerEpoch: 0,
    baseSequence,
  })
}

test('a resend after a synchronous refusal is appended, not held behind the refused copy', async () => {
  const table = new ProducerStateTable()
  const batch = idempotentBatch(0)
  const refused = appendDeduplicated(table, [batch], () => {
    throw new WeirError('NOT_LEADER', 'this broker does not lead t/0 (transferring)')
  })
  await refused.then(
    () => assert.unreachable('the refused append must fail'),
    (error: unknown) => assert.match(String(error), /transferring/),
  )
  const resent = appendDeduplicated(table, [batch], async () => ({ baseOffset: 40, lastOffset: 41 }))
  const [offsets] = await withTimeout(resent, 1000, 'the resend to be appended')
  assert.equal(offsets, { baseOffset: 40, lastOffset: 41 })
  assert.equal(table.check(readBatchHeader(batch)), { kind: 'duplicate', baseOffset: 40, lastOffset: 41 })
})

test.run()
