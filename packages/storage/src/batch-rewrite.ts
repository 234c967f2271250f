// Rewrites one stored batch without some of its records, for the log cleaner. Pure. The batch
// keeps its offset range and every header field (baseOffset, lastOffsetDelta, term, timestamps,
// producer fields, attributes): in a replicated partition one batch is one Raft entry and entry
// indexes are offsets, and a producer's sequence range must stay whole. Only batchLength,
// recordCount and the CRC change. Kept records are copied byte for byte, so each keeps its
// offsetDelta and timestampDelta. A batch may end with no records at all: its header stays.
import {
  attributeCompressionMask,
  BatchField,
  ByteReader,
  batchHeaderBytes,
  batchLengthPrefixBytes,
  compress,
  compressionNameOf,
  computeBatchCrc,
  type DecodedRecord,
  decodeRecordBatch,
  decompress,
  isControlBatch,
  WeirError,
} from '@weir/protocol'

/** Records of one batch with where each lies in the (inflated) records section. */
export interface BatchRecords {
  readonly records: readonly DecodedRecord[]
  /** True for a broker-written control batch: the cleaner never touches one. */
  readonly control: boolean
}

// A cleaned batch was written by this broker and checked then; this only guards memory.
const uncompressedBytesMax = 256 * 1024 * 1024

export function readBatchRecords(batch: Buffer): BatchRecords {
  const control = isControlBatch(batch)
  if (control) return { records: [], control }
  return { records: decodeRecordBatch(batch, { uncompressedBytesMax }).records, control }
}

/**
 * The batch with only the records `keep(index)` says yes to; the same buffer when all stay.
 * Errors: INVALID_RECORD when a record's length runs past the section (the batch passed its CRC
 * check, so this is a batch built wrong).
 */
export function rewriteBatch(batch: Buffer, keep: (index: number) => boolean): Buffer {
  const recordCount = batch.readUInt32BE(BatchField.recordCount)
  const codec = compressionNameOf(batch.readUInt16BE(BatchField.attributes) & attributeCompressionMask)
  if (codec === undefined) throw new WeirError('INVALID_RECORD', 'a stored batch names an unknown codec')
  const stored = batch.subarray(batchHeaderBytes)
  const section =
    codec === 'none' || recordCount === 0 ? stored : decompress(codec, stored, uncompressedBytesMax)
  const spans = recordSpans(section, recordCount)
  const kept = spans.filter((_, index) => keep(index))
  if (kept.length === recordCount) return batch
  const plain = Buffer.concat(kept.map((span) => section.subarray(span.start, span.end)))
  const records = codec === 'none' || kept.length === 0 ? plain : compress(codec, plain)
  const rewritten = Buffer.allocUnsafe(batchHeaderBytes + records.length)
  batch.copy(rewritten, 0, 0, batchHeaderBytes)
  records.copy(rewritten, batchHeaderBytes)
  rewritten.writeUInt32BE(rewritten.length - batchLengthPrefixBytes, BatchField.batchLength)
  rewritten.writeUInt32BE(kept.length, BatchField.recordCount)
  rewritten.writeUInt32BE(computeBatchCrc(rewritten, 0, rewritten.length), BatchField.crc)
  return rewritten
}

interface Span {
  readonly start: number
  readonly end: number
}

function recordSpans(section: Buffer, recordCount: number): Span[] {
  const reader = new ByteReader(section, 0, section.length)
  const spans: Span[] = []
  for (let index = 0; index < recordCount; index++) {
    const start = reader.position
    const length = reader.varint()
    const end = reader.position + length
    if (length < 0 || end > section.length) {
      throw new WeirError('INVALID_RECORD', `record ${index} claims ${length} bytes past the batch end`)
    }
    spans.push({ start, end })
    reader.position = end
  }
  return spans
}
