// Sequential read throughput of a reopened PartitionLog, and proof that a reader's memory stays
// near maxBytes however large the log is. The log was just written, so the OS page cache holds
// it: this is a warm-cache figure, the cost of the log's own read path.
import { fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PartitionLog } from '@weir/storage'
import { type BatchShape, encodeBatchPool } from './batch-pool.js'
import type { Progress } from './measurement.js'
import { appendBatches } from './storage-append.js'
import { withTemporaryDirectory } from './temporary-directory.js'

export interface ReadSpec extends BatchShape {
  /** Batches written (fsync 'never') before the log is closed and reopened for reading. */
  readonly batchCount: number
  readonly maxBytes: number
}

export interface ReadMeasurement {
  readonly logBytes: number
  readonly bytes: number
  readonly records: number
  readonly reads: number
  /** Reopening after a clean close: no CRC scan, indexes loaded from their files. */
  readonly openSeconds: number
  readonly seconds: number
  readonly recordsPerSecond: number
  readonly megabytesPerSecond: number
  /** Resident set size of the reading process after opening the log, before the first read. */
  readonly rssBeforeBytes: number
  /** Highest resident set size seen during the read, minus rssBeforeBytes. */
  readonly rssPeakGrowthBytes: number
}

export type ReadChildMessage =
  | { readonly kind: 'progress'; readonly done: number; readonly total: number }
  | { readonly kind: 'result'; readonly measurement: ReadMeasurement }

const writersInFlight = 16
const childPath = fileURLToPath(new URL('./read-child.ts', import.meta.url))
// Resolved by path, not with import.meta.resolve: under `uvu -r tsx` this module runs as CommonJS.
const tsxLoaderUrl = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

export async function measureRead(spec: ReadSpec, progress?: Progress): Promise<ReadMeasurement> {
  return withTemporaryDirectory(async (directory) => {
    await writeLog(directory, spec)
    return readInChildProcess(directory, spec.maxBytes, progress)
  })
}

async function writeLog(directory: string, spec: ReadSpec): Promise<void> {
  const log = await PartitionLog.open(directory, { config: { fsync: 'never' } })
  try {
    await appendBatches(log, encodeBatchPool(spec, writersInFlight), spec.batchCount)
  } finally {
    await log.close()
  }
}

/**
 * Reads in a fresh process: ours still holds the memory the writer freed (the allocator keeps it),
 * which would hide any growth the read causes.
 */
function readInChildProcess(
  directory: string,
  maxBytes: number,
  progress?: Progress,
): Promise<ReadMeasurement> {
  const child = fork(childPath, [directory, String(maxBytes)], {
    execArgv: ['--import', tsxLoaderUrl],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let measurement: ReadMeasurement | undefined
  child.on('message', (message: ReadChildMessage) => {
    if (message.kind === 'progress') progress?.(message.done, message.total)
    else measurement = message.measurement
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (code === 0 && measurement) resolve(measurement)
      else reject(new Error(`the read process exited with ${signal ?? code} and no result`))
    })
  })
}
