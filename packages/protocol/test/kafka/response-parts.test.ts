// Proves a Fetch answer's large records travel as the caller's own buffer (no copy) in the
// writev pieces, that the pieces equal the one-buffer frame, and that KafkaJS reads them.
import { createRequire } from 'node:module'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeRecordBatch, Kafka } from '../../src/index.js'

const require = createRequire(import.meta.url)
const fetchV11Response = require('kafkajs/src/protocol/requests/fetch/v11/response')

const partition = (records: Uint8Array | null) => ({
  partitionIndex: 0,
  errorCode: 0,
  highWatermark: 500,
  lastStableOffset: 500,
  logStartOffset: 0,
  abortedTransactions: null,
  preferredReadReplica: -1,
  records,
})

test('records of kafkaViewBytesMin or more are a view of the caller buffer, not a copy', async () => {
  const log = Buffer.concat(
    Array.from({ length: 10 }, (_, batch) =>
      encodeRecordBatch(
        Array.from({ length: 50 }, (_, index) => ({
          key: null,
          value: Buffer.alloc(20, batch * 50 + index),
        })),
        { timestamp: 1, baseOffset: batch * 50 },
      ),
    ),
  )
  const records = Kafka.weirBatchesToKafka(log)
  const small = Kafka.weirBatchToKafka(
    encodeRecordBatch([{ key: null, value: Buffer.from('s') }], { timestamp: 1 }),
  )
  assert.ok(records.length >= Kafka.kafkaViewBytesMin)
  const response = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [{ topic: 'orders', partitions: [partition(records), partition(small)] }],
  }
  const parts = Kafka.encodeKafkaResponseParts(Kafka.fetchApi, 11, 3, response)
  const shared = parts.filter(
    (part) => part.buffer === records.buffer && part.byteOffset === records.byteOffset,
  )
  assert.is(shared.length, 1)
  assert.is(shared[0]!.length, records.length)
  const joined = Buffer.concat(parts)
  assert.is(
    joined.toString('hex'),
    Kafka.encodeKafkaResponse(Kafka.fetchApi, 11, 3, response).toString('hex'),
  )
  assert.is(joined.readInt32BE(0), joined.length - 4)
  const read = await fetchV11Response.decode(joined.subarray(8))
  assert.is(read.responses[0].partitions[0].messages.length, 500)
  assert.is(read.responses[0].partitions[0].messages[499].offset, '499')
  assert.is(read.responses[0].partitions[1].messages[0].value.toString(), 's')
})

test('small byte fields are copied, so the answer is one buffer', () => {
  const parts = Kafka.encodeKafkaResponseParts(Kafka.fetchApi, 4, 1, {
    responses: [
      {
        topic: 't',
        partitions: [
          partition(
            Kafka.weirBatchToKafka(encodeRecordBatch([{ key: null, value: null }], { timestamp: 1 })),
          ),
        ],
      },
    ],
  })
  assert.is(parts.length, 1)
})

test.run()
