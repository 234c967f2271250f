// Builds a record batch from records: the client's job, done once; every later holder (broker,
// replicas, consumers) passes the bytes on without re-encoding them.
import { crc32c } from '@node-rs/crc32'
import { compress } from './compression/index.js'
import {
  attributeControl,
  BatchField,
  batchCrcStart,
  batchHeaderBytes,
  batchLengthPrefixBytes,
  batchMagic,
  Compression,
  type CompressionName,
  writeInt64,
  writeUint64,
} from './record-batch-layout.js'
import { varintSize, writeVarint } from './varint.js'

export interface RecordHeader {
  readonly key: string
  readonly value: Uint8Array | null
}

export interface RecordInput {
  readonly key?: Uint8Array | null
  readonly value: Uint8Array | null
  readonly headers?: readonly RecordHeader[]
  /** Milliseconds since the epoch; defaults to the batch's `timestamp` option. */
  readonly timestamp?: number
}

export interface EncodeBatchOptions {
  /** Timestamp for records that carry none (ms since epoch). The codec has no clock of its own. */
  readonly timestamp: number
  readonly baseOffset?: number
  readonly term?: number
  readonly compression?: CompressionName
  readonly producerId?: number
  readonly producerEpoch?: number
  readonly baseSequence?: number
  /** Marks a broker-written control batch (Raft no-op, membership change): consumers skip it. */
  readonly control?: boolean
}

/** Upper bound on records in one batch: lastOffsetDelta is a u32 and offsets must stay exact. */
export const batchRecordsMax = 1_000_000

export function encodeRecordBatch(records: readonly RecordInput[], options: EncodeBatchOptions): Buffer {
  if (records.length === 0) throw new RangeError('a record batch needs at least one record')
  if (records.length > batchRecordsMax) {
    throw new RangeError(`a record batch holds at most ${batchRecordsMax} records, got ${records.length}`)
  }
  let bytes = batchHeaderBytes
  const firstTimestamp = records[0]!.timestamp ?? options.timestamp
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!
    const bodySize = recordBodySize(record, (record.timestamp ?? options.timestamp) - firstTimestamp, index)
    bytes += varintSize(bodySize) + bodySize
  }
  const builder = new RecordBatchBuilder(bytes)
  for (const record of records) builder.append(record, record.timestamp ?? options.timestamp)
  return builder.build(options)
}

/**
 * Builds one batch record by record, writing each into the batch buffer as it comes, so a producer
 * holds encoded bytes instead of record objects while a batch fills. `build` writes the header and
 * CRC and returns the batch; the builder must not be used after it.
 */
export class RecordBatchBuilder {
  private buffer: Buffer
  private position: number = batchHeaderBytes
  private count = 0
  private firstTimestamp = 0
  private maxTimestamp = 0

  constructor(initialBytes = 16 * 1024) {
    this.buffer = Buffer.allocUnsafe(Math.max(batchHeaderBytes + 64, initialBytes))
  }

  get recordCount(): number {
    return this.count
  }

  /** Bytes of the batch so far, header included (uncompressed). */
  get sizeBytes(): number {
    return this.position
  }

  /** Appends one record with its timestamp (ms since epoch); returns the bytes it took. */
  append(record: RecordInput, timestamp: number): number {
    if (this.count === batchRecordsMax)
      throw new RangeError(`a record batch holds at most ${batchRecordsMax} records`)
    if (this.count === 0) {
      this.firstTimestamp = timestamp
      this.maxTimestamp = timestamp
    } else if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp
    const timestampDelta = timestamp - this.firstTimestamp
    const bodySize = recordBodySize(record, timestampDelta, this.count)
    const size = varintSize(bodySize) + bodySize
    this.reserve(size)
    this.position = writeRecord(this.buffer, this.position, record, bodySize, timestampDelta, this.count)
    this.count++
    return size
  }

  build(options: Omit<EncodeBatchOptions, 'timestamp'> = {}): Buffer {
    if (this.count === 0) throw new RangeError('a record batch needs at least one record')
    const compression = options.compression ?? 'none'
    let batch = this.buffer.subarray(0, this.position)
    if (compression !== 'none') {
      const compressed = compress(compression, batch.subarray(batchHeaderBytes))
      batch = Buffer.allocUnsafe(batchHeaderBytes + compressed.length)
      compressed.copy(batch, batchHeaderBytes)
    }
    writeUint64(batch, BatchField.baseOffset, options.baseOffset ?? 0)
    batch.writeUInt32BE(batch.length - batchLengthPrefixBytes, BatchField.batchLength)
    batch.writeUInt32BE(options.term ?? 0, BatchField.term)
    batch[BatchField.magic] = batchMagic
    const control = options.control === true ? attributeControl : 0
    batch.writeUInt16BE(Compression[compression] | control, BatchField.attributes)
    batch.writeUInt32BE(this.count - 1, BatchField.lastOffsetDelta)
    writeInt64(batch, BatchField.firstTimestamp, this.firstTimestamp)
    writeInt64(batch, BatchField.maxTimestamp, this.maxTimestamp)
    writeInt64(batch, BatchField.producerId, options.producerId ?? -1)
    batch.writeInt16BE(options.producerEpoch ?? -1, BatchField.producerEpoch)
    batch.writeInt32BE(options.baseSequence ?? -1, BatchField.baseSequence)
    batch.writeUInt32BE(this.count, BatchField.recordCount)
    batch.writeUInt32BE(crc32c(batch.subarray(batchCrcStart)), BatchField.crc)
    return batch
  }

  private reserve(bytes: number): void {
    if (this.position + bytes <= this.buffer.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.position + bytes))
    this.buffer.copy(grown, 0, 0, this.position)
    this.buffer = grown
  }
}

function nullableSize(bytes: Uint8Array | null | undefined): number {
  return bytes == null ? 1 : varintSize(bytes.length) + bytes.length
}

function recordBodySize(record: RecordInput, timestampDelta: number, offsetDelta: number): number {
  let size = 1 + varintSize(timestampDelta) + varintSize(offsetDelta)
  size += nullableSize(record.key) + nullableSize(record.value)
  const headers = record.headers ?? []
  size += varintSize(headers.length)
  for (const header of headers) {
    const keyBytes = Buffer.byteLength(header.key)
    size += varintSize(keyBytes) + keyBytes + nullableSize(header.value)
  }
  return size
}

function writeNullable(target: Buffer, position: number, bytes: Uint8Array | null | undefined): number {
  if (bytes == null) return writeVarint(target, position, -1)
  position = writeVarint(target, position, bytes.length)
  target.set(bytes, position)
  return position + bytes.length
}

function writeRecord(
  target: Buffer,
  position: number,
  record: RecordInput,
  bodySize: number,
  timestampDelta: number,
  offsetDelta: number,
): number {
  position = writeVarint(target, position, bodySize)
  target[position++] = 0 // record attributes: none defined yet
  position = writeVarint(target, position, timestampDelta)
  position = writeVarint(target, position, offsetDelta)
  position = writeNullable(target, position, record.key)
  position = writeNullable(target, position, record.value)
  const headers = record.headers ?? []
  position = writeVarint(target, position, headers.length)
  for (const header of headers) {
    const keyBytes = Buffer.byteLength(header.key)
    position = writeVarint(target, position, keyBytes)
    position += target.write(header.key, position, 'utf8')
    position = writeNullable(target, position, header.value)
  }
  return position
}
