// Append throughput of one PartitionLog under a given fsync policy, with many appends in flight
// as many producers would have: that is what lets group commit share one fsync between appends.
import { type FsyncPolicy, PartitionLog } from '@weir/storage'
import { type BatchShape, encodeBatchPool } from './batch-pool.js'
import { megabyteBytes, type Progress, secondsSince } from './measurement.js'
import { withTemporaryDirectory } from './temporary-directory.js'

export interface AppendSpec extends BatchShape {
  readonly fsync: FsyncPolicy
  /** Batches timed. */
  readonly batchCount: number
  /** Batches appended first and not timed: JIT, page cache and the first segment settle. */
  readonly warmupBatches: number
  /** Appends in flight at once, each with its own buffer: the number of simulated producers. */
  readonly inFlight: number
}

export interface AppendMeasurement {
  readonly records: number
  readonly bytes: number
  /** From the first timed append to the last one resolving. */
  readonly seconds: number
  /** The flush after the last append: what 'never' and an interval policy still owed the disk. */
  readonly flushSeconds: number
  readonly recordsPerSecond: number
  readonly megabytesPerSecond: number
  /** Counting the final flush: every appended byte on stable storage, as in the disk-limit figure. */
  readonly durableMegabytesPerSecond: number
}

export async function measureAppend(spec: AppendSpec, progress?: Progress): Promise<AppendMeasurement> {
  const pool = encodeBatchPool(spec, spec.inFlight)
  return withTemporaryDirectory(async (directory) => {
    const log = await PartitionLog.open(directory, { config: { fsync: spec.fsync } })
    try {
      await appendBatches(log, pool, spec.warmupBatches)
      const started = performance.now()
      const bytes = await appendBatches(log, pool, spec.batchCount, progress)
      const seconds = secondsSince(started)
      const flushStarted = performance.now()
      await log.flush()
      const flushSeconds = secondsSince(flushStarted)
      const records = spec.batchCount * spec.recordsPerBatch
      return {
        records,
        bytes,
        seconds,
        flushSeconds,
        recordsPerSecond: records / seconds,
        megabytesPerSecond: bytes / megabyteBytes / seconds,
        durableMegabytesPerSecond: bytes / megabyteBytes / (seconds + flushSeconds),
      }
    } finally {
      await log.close()
    }
  })
}

/**
 * Appends `batchCount` batches with one producer per pool buffer; a producer reuses its buffer
 * only after its previous append resolved. Resolves with the bytes appended.
 */
export async function appendBatches(
  log: PartitionLog,
  pool: readonly Buffer[],
  batchCount: number,
  progress?: Progress,
): Promise<number> {
  let started = 0
  let done = 0
  let bytes = 0
  const produce = async (batch: Buffer): Promise<void> => {
    while (started < batchCount) {
      started++
      await log.append(batch)
      bytes += batch.length
      progress?.(++done, batchCount)
    }
  }
  await Promise.all(pool.map(produce))
  return bytes
}
