// Proves the Weir <-> Kafka batch converters: only the magic byte differs, the CRC-32C (attributes
// to the end, checked with an independent bitwise CRC) stays valid, a hand-built Kafka batch from
// the spec becomes a Weir batch Weir decodes, control batches go out record-less, and bad
// producer batches are typed errors.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  BatchField,
  decodeRecordBatch,
  encodeRecordBatch,
  isWeirError,
  Kafka,
  validateBatch,
} from '../../src/index.js'

function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

const kafkaCrcStart = 21 // Kafka: the CRC covers attributes (offset 21) to the end of the batch
const crcValid = (batch: Buffer) => referenceCrc32c(batch.subarray(kafkaCrcStart)) === batch.readUInt32BE(17)

/** One record (key null, value "hi") in RecordBatch v2, laid out byte by byte from the protocol guide. */
function handBuiltKafkaBatch(): Buffer {
  const record = Buffer.from([0x10, 0x00, 0x00, 0x00, 0x01, 0x04, 0x68, 0x69, 0x00])
  // length 8 (zig-zag 0x10), attributes 0, timestampDelta 0, offsetDelta 0, key -1, value 2 "hi", 0 headers
  const header = Buffer.alloc(61)
  header.writeBigInt64BE(0n, 0) // baseOffset
  header.writeInt32BE(61 - 12 + record.length, 8) // batchLength
  header.writeInt32BE(-1, 12) // partitionLeaderEpoch, as producers send it
  header.writeInt8(2, 16) // magic
  header.writeInt16BE(0, 21) // attributes
  header.writeInt32BE(0, 23) // lastOffsetDelta
  header.writeBigInt64BE(1_700_000_000_000n, 27) // firstTimestamp
  header.writeBigInt64BE(1_700_000_000_000n, 35) // maxTimestamp
  header.writeBigInt64BE(-1n, 43) // producerId
  header.writeInt16BE(-1, 51) // producerEpoch
  header.writeInt32BE(-1, 53) // baseSequence
  header.writeInt32BE(1, 57) // records count
  const batch = Buffer.concat([header, record])
  batch.writeUInt32BE(referenceCrc32c(batch.subarray(kafkaCrcStart)), 17)
  return batch
}

function typed(code: 'CORRUPT_MESSAGE' | 'INVALID_RECORD', run: () => unknown, pattern: RegExp): void {
  try {
    run()
    assert.unreachable(`expected ${code}`)
  } catch (error) {
    assert.ok(isWeirError(error, code), String(error))
    assert.match((error as Error).message, pattern)
  }
}

test('a hand-built Kafka batch becomes a Weir batch with the same record', () => {
  const kafka = handBuiltKafkaBatch()
  const weir = Kafka.kafkaBatchToWeir(kafka)
  assert.is(weir[BatchField.magic], 1)
  validateBatch(weir)
  const { records } = decodeRecordBatch(weir)
  assert.is(records.length, 1)
  assert.is(records[0]!.key, null)
  assert.is(records[0]!.value?.toString(), 'hi')
  assert.is(records[0]!.timestamp, 1_700_000_000_000)
  // Only the magic byte changed; the producer's buffer was not touched.
  const differing = [...kafka].flatMap((byte, index) => (byte === weir[index] ? [] : [index]))
  assert.equal(differing, [BatchField.magic])
  assert.is(kafka[BatchField.magic], 2)
})

test('a Weir batch goes out as Kafka bytes whose CRC holds without recomputation, and back', () => {
  const weir = encodeRecordBatch(
    [
      { key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: Buffer.from('x') }] },
      { key: null, value: Buffer.from('w') },
    ],
    { timestamp: 5000, baseOffset: 77, term: 3, compression: 'gzip' },
  )
  const kafka = Kafka.weirBatchToKafka(weir)
  assert.is(kafka[BatchField.magic], 2)
  assert.is(kafka.readUInt32BE(17), weir.readUInt32BE(17))
  assert.ok(crcValid(kafka))
  assert.is(weir[BatchField.magic], 1, 'the stored batch is never changed')
  assert.equal(Kafka.kafkaBatchToWeir(kafka), weir)
})

test('a Weir control batch goes out as a record-less Kafka control batch with a fresh CRC', () => {
  const control = encodeRecordBatch(
    [
      { key: Buffer.from('raft'), value: Buffer.from('noop') },
      { key: null, value: null },
    ],
    {
      timestamp: 0,
      baseOffset: 9,
      control: true,
    },
  )
  const kafka = Kafka.weirBatchToKafka(control)
  assert.is(kafka.length, 61)
  assert.is(kafka.readUInt32BE(8), 49)
  assert.is(kafka.readUInt16BE(21), 0b10_0000)
  assert.is(kafka.readUInt32BE(57), 0)
  assert.is(kafka.readUInt32BE(23), 1, 'its two offsets still count, so consumers move past them')
  assert.ok(crcValid(kafka))
})

test('a log read converts batch by batch; a batch cut off at the end is left out', () => {
  const first = encodeRecordBatch([{ key: null, value: Buffer.from('a') }], { timestamp: 1, baseOffset: 0 })
  const second = encodeRecordBatch([{ key: null, value: Buffer.from('b') }], { timestamp: 2, baseOffset: 1 })
  const log = Buffer.concat([first, second])
  const out = Kafka.weirBatchesToKafka(log)
  assert.is(out.length, log.length)
  assert.is(out[BatchField.magic], 2)
  assert.is(out[first.length + BatchField.magic], 2)
  assert.is(Kafka.weirBatchesToKafka(log.subarray(0, log.length - 1)).length, first.length)
})

test('a log read with a control batch between records: each batch converted, the input untouched', () => {
  const first = encodeRecordBatch([{ key: null, value: Buffer.from('a') }], { timestamp: 1, baseOffset: 0 })
  const control = encodeRecordBatch([{ key: null, value: Buffer.from('noop') }], {
    timestamp: 2,
    baseOffset: 1,
    control: true,
  })
  const last = encodeRecordBatch([{ key: null, value: Buffer.from('c') }], { timestamp: 3, baseOffset: 2 })
  const log = Buffer.concat([first, control, last])
  const before = Buffer.from(log)
  const out = Kafka.weirBatchesToKafka(log)
  const converted = Kafka.weirBatchToKafka(control)
  assert.equal(out, Buffer.concat([Kafka.weirBatchToKafka(first), converted, Kafka.weirBatchToKafka(last)]))
  assert.is(out[first.length + converted.length + BatchField.magic], 2)
  assert.equal(log, before, 'the stored bytes are never changed')
  assert.equal(
    Kafka.weirBatchesToKafka(Buffer.concat([first, last])).subarray(first.length),
    Kafka.weirBatchToKafka(last),
  )
})

test('bad producer batches are typed errors that say what to change', () => {
  const good = handBuiltKafkaBatch()
  typed(
    'CORRUPT_MESSAGE',
    () => Kafka.kafkaBatchToWeir(good.subarray(0, 40)),
    /shorter than its 61-byte header/,
  )
  typed('CORRUPT_MESSAGE', () => Kafka.kafkaBatchToWeir(Buffer.concat([good, good])), /exactly one batch/)
  const flipped = Buffer.from(good)
  flipped[flipped.length - 2]! ^= 1
  typed('CORRUPT_MESSAGE', () => Kafka.kafkaBatchToWeir(flipped), /CRC-32C/)
  const oldMagic = Buffer.from(good)
  oldMagic[BatchField.magic] = 1
  typed('INVALID_RECORD', () => Kafka.kafkaBatchToWeir(oldMagic), /magic 1; only RecordBatch v2/)
  const control = Buffer.from(good)
  control.writeInt16BE(0b10_0000, 21)
  control.writeUInt32BE(referenceCrc32c(control.subarray(kafkaCrcStart)), 17)
  typed('INVALID_RECORD', () => Kafka.kafkaBatchToWeir(control), /control batch/)
})

test.run()
