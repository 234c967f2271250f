// What each codec costs in CPU per batch, in this process (no broker, no socket): the producer's
// compress, the broker's produce check (checkBatchRecords: CRC-checked batches are inflated up to
// the topic's limit and every record walked, as before for gzip), and a consumer's decode. The
// batch is the producer's default shape for these documents: records up to 1 MiB uncompressed.
import {
  type CompressionName,
  checkBatchRecords,
  decodeRecordBatch,
  encodeRecordBatch,
  type RecordInput,
} from '@weir/protocol'
import type { DocumentPool } from './json-documents.js'

export interface CodecCpu {
  readonly codec: CompressionName
  readonly records: number
  readonly uncompressedBytes: number
  readonly batchBytes: number
  /** CPU microseconds per batch. */
  readonly encodeUs: number
  readonly brokerCheckUs: number
  readonly decodeUs: number
}

const batchBytesTarget = 1024 * 1024 - 4096
const checkLimitBytes = 16 * 1024 * 1024

/**
 * CPU microseconds (user + system, this process) per call of `work`, over at least `minimumMs` of
 * wall time after a warm-up of the same length: CPU time moves less than wall time when other
 * processes share the cores.
 */
function microsecondsPerCall(work: () => void, minimumMs: number): number {
  let result = Number.NaN
  for (const phase of ['warm-up', 'measure']) {
    let calls = 0
    const started = performance.now()
    const cpuBefore = process.cpuUsage()
    while (performance.now() - started < minimumMs) {
      work()
      calls++
    }
    const cpu = process.cpuUsage(cpuBefore)
    if (phase === 'measure') result = (cpu.user + cpu.system) / calls
  }
  return result
}

export function measureCodecCpu(codec: CompressionName, pool: DocumentPool, minimumMs: number): CodecCpu {
  const records: RecordInput[] = []
  let uncompressedBytes = 0
  for (let index = 0; uncompressedBytes < batchBytesTarget; index++) {
    const value = pool.values[index % pool.values.length]!
    records.push({ key: Buffer.from(`key-${index}`), value })
    uncompressedBytes += value.length + 16
  }
  const options = { timestamp: 1_767_225_600_000, compression: codec }
  const batch = encodeRecordBatch(records, options)
  return {
    codec,
    records: records.length,
    uncompressedBytes,
    batchBytes: batch.length,
    encodeUs: microsecondsPerCall(() => encodeRecordBatch(records, options), minimumMs),
    brokerCheckUs: microsecondsPerCall(() => checkBatchRecords(batch, checkLimitBytes), minimumMs),
    decodeUs: microsecondsPerCall(() => decodeRecordBatch(batch), minimumMs),
  }
}
