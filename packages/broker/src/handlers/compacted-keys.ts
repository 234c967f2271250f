// A compacted topic keeps the latest record per key, so a record without a key has nothing to be
// kept by: Produce refuses it before anything of the partition is stored (as Kafka does).
import { decodeRecordBatch, isCompacted, WeirError } from '@weir/protocol'
import type { LogConfig } from '@weir/storage'

/** Throws INVALID_RECORD naming the first record without a key, when the log is compacted. */
export function checkKeysForCompaction(batches: readonly Buffer[], config: LogConfig, topic: string): void {
  if (!isCompacted(config.cleanupPolicy)) return
  for (const [index, batch] of batches.entries()) {
    const records = decodeRecordBatch(batch, { uncompressedBytesMax: config.maxBatchBytes }).records
    const keyless = records.findIndex((record) => record.key === null)
    if (keyless >= 0) {
      throw new WeirError(
        'INVALID_RECORD',
        `batch ${index} record ${keyless} has no key, but topic ${topic} is compacted (cleanup.policy=${config.cleanupPolicy}, latest record per key): give every record a key`,
      )
    }
  }
}
