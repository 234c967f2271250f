// `npx tsx bench/src/batch-check.ts`: what the broker's produce check of a batch costs. Times the
// CRC-and-length check every batch already had (splitBatches) against the record walk added for
// poison batches (checkBatchRecords), on batches shaped like real produce traffic, and prints one
// JSON line per shape. A micro-benchmark: no broker, no sockets; warm-up first.
import { checkBatchRecords, encodeRecordBatch, type RecordInput, splitBatches } from '@weir/protocol'

const mebibyte = 1024 * 1024
const shapes = [
  { name: '1000 records x 100 B', records: 1000, valueBytes: 100, compression: 'none' as const },
  { name: '100 records x 1 KiB', records: 100, valueBytes: 1024, compression: 'none' as const },
  { name: '16 records x 64 KiB', records: 16, valueBytes: 64 * 1024, compression: 'none' as const },
  { name: '10000 records x 10 B', records: 10_000, valueBytes: 10, compression: 'none' as const },
  { name: '1000 records x 100 B gzip', records: 1000, valueBytes: 100, compression: 'gzip' as const },
]

function batchOf(count: number, valueBytes: number, compression: 'none' | 'gzip'): Buffer {
  const records: RecordInput[] = Array.from({ length: count }, (_, index) => ({
    key: Buffer.from(`key-${index}`),
    value: Buffer.alloc(valueBytes, index % 251),
  }))
  return encodeRecordBatch(records, { timestamp: Date.now(), compression })
}

/** Nanoseconds per call of `work`, over at least `minimumMs` after a warm-up of the same length. */
function timePerCall(work: () => void, minimumMs = 400): number {
  for (const phase of ['warm-up', 'measure']) {
    let calls = 0
    const started = process.hrtime.bigint()
    let elapsedNs = 0n
    while (elapsedNs < BigInt(minimumMs) * 1_000_000n) {
      for (let repeat = 0; repeat < 10; repeat++) work()
      calls += 10
      elapsedNs = process.hrtime.bigint() - started
    }
    if (phase === 'measure') return Number(elapsedNs) / calls
  }
  return Number.NaN
}

for (const shape of shapes) {
  const batch = batchOf(shape.records, shape.valueBytes, shape.compression)
  const crcNs = timePerCall(() => splitBatches(batch))
  const walkNs = timePerCall(() => checkBatchRecords(batch, 16 * mebibyte))
  const megabytesPerSecond = (ns: number) => Math.round(batch.length / mebibyte / (ns / 1e9))
  console.log(
    JSON.stringify({
      shape: shape.name,
      batchBytes: batch.length,
      crcCheckUs: +(crcNs / 1000).toFixed(1),
      recordWalkUs: +(walkNs / 1000).toFixed(1),
      crcCheckMBps: megabytesPerSecond(crcNs),
      recordWalkMBps: megabytesPerSecond(walkNs),
      walkPerRecordNs: Math.round(walkNs / shape.records),
    }),
  )
}
