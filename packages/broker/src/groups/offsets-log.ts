// Reading and writing one __consumer_offsets partition: its records in log order (for a rebuild),
// records as record batches (for an append), and the latest record per key (for the snapshot that
// compacts the partition). The group code above never sees batches or offsets.
import { decodeRecordBatch, encodeRecordBatch, isControlBatch, splitBatches } from '@weir/protocol'
import type { LogConfig } from '@weir/storage'
import type { GroupLog } from './group-log.js'
import type { GroupLogRecord } from './group-records.js'

/** Config of the __consumer_offsets topic: nothing is ever deleted by age or size (compaction
 *  removes what is dead), and every append is fsynced before the answer it backs is sent. */
export function offsetsTopicConfig(segmentBytes: number): Partial<LogConfig> {
  return { segmentBytes, retentionMs: -1, retentionBytes: -1, fsync: 'always' }
}

/** Bytes read per step while rebuilding; a batch larger than this is still read whole. */
const readChunkBytes = 1024 * 1024
/** Encoded records per batch are kept under this many bytes (a snapshot spans several batches). */
const batchBytesTarget = 1024 * 1024
/** A record's framing in a batch is at most this many bytes beyond its key and value. */
const recordOverheadBytesMax = 40

/** Every record from the log start to the log end, oldest first. Errors: the log's read errors,
 *  CORRUPT_MESSAGE (bad length or CRC) or INVALID_RECORD (magic, record count) for a stored batch
 *  that does not decode. */
export async function readGroupRecords(log: GroupLog): Promise<GroupLogRecord[]> {
  const records: GroupLogRecord[] = []
  const start = log.logStartOffset
  const end = log.logEndOffset
  let offset = start
  while (offset < end) {
    const read = await log.read(offset, readChunkBytes)
    if (read.bytes.length === 0) break
    for (const bytes of splitBatches(read.bytes)) {
      // Raft no-op and membership batches of a replicated __consumer_offsets hold no group records.
      if (isControlBatch(bytes)) continue
      for (const record of decodeRecordBatch(bytes).records) {
        // The first batch may begin below the log start (a prefix truncated inside a segment).
        if (record.offset < start || record.key === null) continue
        // Copies: a view would keep the whole read chunk alive for as long as the record lives.
        const value = record.value === null ? null : Buffer.from(record.value)
        records.push({ key: Buffer.from(record.key), value })
      }
    }
    offset = read.nextOffset
  }
  return records
}

/** Records as batches of at most about batchBytesTarget bytes each (at least one record each). */
export function encodeGroupBatches(records: readonly GroupLogRecord[], timestampMs: number): Buffer[] {
  const batches: Buffer[] = []
  let pending: GroupLogRecord[] = []
  let pendingBytes = 0
  for (const record of records) {
    const size = record.key.length + (record.value?.length ?? 0) + recordOverheadBytesMax
    if (pending.length > 0 && pendingBytes + size > batchBytesTarget) {
      batches.push(encodeRecordBatch(pending, { timestamp: timestampMs }))
      pending = []
      pendingBytes = 0
    }
    pending.push(record)
    pendingBytes += size
  }
  if (pending.length > 0) batches.push(encodeRecordBatch(pending, { timestamp: timestampMs }))
  return batches
}

/** The latest record per key, in the order each key was last written; tombstones delete the key. */
export class LatestRecords {
  private readonly byKey = new Map<string, GroupLogRecord>()

  get size(): number {
    return this.byKey.size
  }

  apply(records: Iterable<GroupLogRecord>): void {
    for (const record of records) {
      const key = record.key.toString('latin1')
      this.byKey.delete(key)
      if (record.value !== null) this.byKey.set(key, record)
    }
  }

  records(): GroupLogRecord[] {
    return [...this.byKey.values()]
  }
}
