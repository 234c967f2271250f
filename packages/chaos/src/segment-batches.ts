// Reads the record batches of one partition from a stopped broker's data directory: every
// `<topic>/<partition>/*.log` segment in name (= base offset) order, batch by batch, with the
// bounds-checked header layout from @weir/protocol. A torn batch at the end of a segment ends it.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BatchField, batchLengthPrefixBytes, readInt64 } from '@weir/protocol'
import type { StoredBatch } from './replica-compare.js'

/** The partition's directory in `dataDir`, or undefined when this broker holds no replica of it. */
export function partitionDirectory(dataDir: string, topic: string, partition: number): string | undefined {
  const directory = join(dataDir, topic, String(partition))
  return existsSync(directory) ? directory : undefined
}

export function readSegmentBatches(directory: string): StoredBatch[] {
  const batches: StoredBatch[] = []
  const segments = readdirSync(directory)
    .filter((name) => /^\d{20}\.log$/.test(name))
    .sort()
  for (const segment of segments) {
    const bytes = readFileSync(join(directory, segment))
    let position = 0
    while (position + BatchField.records <= bytes.length) {
      const length = batchLengthPrefixBytes + bytes.readInt32BE(position + BatchField.batchLength)
      if (length < BatchField.records || position + length > bytes.length) break
      const baseOffset = readInt64(bytes, position + BatchField.baseOffset)
      const lastOffset = baseOffset + bytes.readInt32BE(position + BatchField.lastOffsetDelta)
      batches.push({ baseOffset, lastOffset, bytes: bytes.subarray(position, position + length) })
      position += length
    }
  }
  return batches
}
