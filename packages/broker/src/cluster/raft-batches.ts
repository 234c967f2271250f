// Raft entries as record batches. A normal entry IS a client's batch, stored verbatim; a no-op or
// membership-change entry becomes a one-record control batch (key 'noop' / 'config', value = the
// entry's data) that consumers skip. Reading a log back turns each batch into its entry again, so
// the partition log is the Raft log with no second copy. A third control batch, the log-start
// marker (key 'log-start'), is a normal entry to the core: once committed, every replica cuts its
// log's prefix below the offset it carries (a compacted __consumer_offsets partition).
import {
  BatchField,
  batchSizeAt,
  decodeRecordBatch,
  encodeRecordBatch,
  isControlBatch,
  offsetCountAt,
  readUint64,
} from '@weir/protocol'
import { type Entry, EntryKind } from '@weir/raft'
import { indexOfOffset } from './raft-index.js'

const controlKeys = {
  noop: Buffer.from('noop'),
  config: Buffer.from('config'),
  logStart: Buffer.from('log-start'),
} as const

/** The bytes to append for `entry`: its batch for a normal entry, a fresh control batch otherwise. */
export function batchOfEntry(entry: Entry): Buffer {
  if (entry.kind === EntryKind.normal) return asBuffer(entry.data)
  const key = entry.kind === EntryKind.noop ? controlKeys.noop : controlKeys.config
  // The timestamp is fixed so every replica writes byte-identical control batches.
  return encodeRecordBatch([{ key, value: asBuffer(entry.data) }], { timestamp: 0, control: true })
}

/** The entry a stored batch (baseOffset and term already set) stands for. */
export function entryOfBatch(batch: Buffer): Entry {
  const index = indexOfOffset(readUint64(batch, BatchField.baseOffset))
  const term = batch.readUInt32BE(BatchField.term)
  const span = offsetCountAt(batch)
  if (!isControlBatch(batch)) return { index, term, span, kind: EntryKind.normal, data: batch }
  const record = decodeRecordBatch(batch).records[0]
  if (record?.key?.equals(controlKeys.logStart))
    return { index, term, span, kind: EntryKind.normal, data: batch }
  const kind = record?.key?.equals(controlKeys.config) ? EntryKind.config : EntryKind.noop
  return { index, term, span, kind, data: record?.value ?? Buffer.alloc(0) }
}

/** A marker that, once committed, moves every replica's log start to `offset`. */
export function logStartBatch(offset: number): Buffer {
  const value = Buffer.alloc(8)
  value.writeBigUInt64BE(BigInt(offset))
  // The timestamp is fixed so every replica writes byte-identical batches.
  return encodeRecordBatch([{ key: controlKeys.logStart, value }], { timestamp: 0, control: true })
}

/** The offset a log-start marker carries; undefined for any other batch (cheap for client batches). */
export function logStartOf(batch: Buffer): number | undefined {
  if (!isControlBatch(batch)) return undefined
  const record = decodeRecordBatch(batch).records[0]
  if (!record?.key?.equals(controlKeys.logStart) || record.value?.length !== 8) return undefined
  return Number(record.value.readBigUInt64BE(0))
}

/** Each whole batch in `bytes` (a log read), no copies. */
export function* batchesIn(bytes: Buffer): Generator<Buffer> {
  let position = 0
  while (position + BatchField.records <= bytes.length) {
    const size = batchSizeAt(bytes, position)
    if (position + size > bytes.length) return
    yield bytes.subarray(position, position + size)
    position += size
  }
}

export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}
