// Client-side work done before the clock starts: the storage benchmarks measure the log, not the
// encoder, just as a broker receives batches a client already built.
import { randomBytes } from 'node:crypto'
import { encodeRecordBatch, type RecordInput } from '@weir/protocol'

export interface BatchShape {
  /** Bytes of each record's value; records carry no key and no headers. */
  readonly recordBytes: number
  readonly recordsPerBatch: number
}

/**
 * `count` distinct batches. An append patches offsets into its buffer and owns it until it
 * resolves, so every append in flight needs a buffer of its own.
 */
export function encodeBatchPool(shape: BatchShape, count: number): Buffer[] {
  const timestamp = Date.now()
  return Array.from({ length: count }, () => {
    // Random values: no layer below (filesystem, virtual disk) can compress or deduplicate them.
    const payload = randomBytes(shape.recordBytes * shape.recordsPerBatch)
    const records: RecordInput[] = Array.from({ length: shape.recordsPerBatch }, (_, index) => ({
      value: payload.subarray(index * shape.recordBytes, (index + 1) * shape.recordBytes),
    }))
    return encodeRecordBatch(records, { timestamp })
  })
}
