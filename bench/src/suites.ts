// What each suite runs and how big: quick must finish in under a minute on a 2-core machine, full
// in a few minutes with about 1 GiB per large case.
import type { DiskWriteSpec } from './disk-limit.js'
import type { AppendSpec } from './storage-append.js'
import type { ReadSpec } from './storage-read.js'

export const suiteNames = ['quick', 'full'] as const
export type SuiteName = (typeof suiteNames)[number]

/** Cases the targets refer to: 100-byte ("small") and 1 KiB ("large") records under each policy. */
export type AppendCaseId = 'small-never' | 'small-always' | 'small-interval' | 'large-never' | 'large-always'

export interface AppendCase {
  readonly id: AppendCaseId
  readonly label: string
  readonly spec: AppendSpec
}

export interface StorageSuite {
  /** Runs of every case; the median one is reported. */
  readonly repetitions: number
  readonly diskSyncOnce: DiskWriteSpec
  readonly diskSyncEachBlock: DiskWriteSpec
  readonly append: readonly AppendCase[]
  readonly read: ReadSpec
}

export interface SuiteSizes {
  readonly diskMebibytes: number
  readonly diskSyncEachBlockMebibytes: number
  /** Timed batches of 1,000 × 100 B records (about 0.1 MiB each) per small case. */
  readonly smallBatches: number
  /** Timed batches of 1,000 × 1 KiB records (about 1 MiB each) per large case and for the read. */
  readonly largeBatches: number
  readonly inFlight: number
  readonly repetitions: number
}

export const suiteSizes: Record<SuiteName, SuiteSizes> = {
  quick: {
    diskMebibytes: 256,
    diskSyncEachBlockMebibytes: 64,
    smallBatches: 2_000,
    largeBatches: 256,
    inFlight: 64,
    repetitions: 3,
  },
  full: {
    diskMebibytes: 1024,
    diskSyncEachBlockMebibytes: 256,
    smallBatches: 10_000,
    largeBatches: 1_024,
    inFlight: 64,
    repetitions: 3,
  },
}

const mebibyte = 1024 * 1024
const recordsPerBatch = 1_000
const intervalMs = 100
const small = { recordBytes: 100, recordsPerBatch }
const large = { recordBytes: 1024, recordsPerBatch }

export function storageSuite(sizes: SuiteSizes): StorageSuite {
  const appendSpec = (shape: typeof small, batchCount: number, fsync: AppendSpec['fsync']) => ({
    ...shape,
    fsync,
    batchCount,
    // One append per producer before the clock starts: hot paths compiled, first group commits done.
    warmupBatches: sizes.inFlight,
    inFlight: sizes.inFlight,
  })
  return {
    repetitions: sizes.repetitions,
    diskSyncOnce: { blockBytes: mebibyte, blockCount: sizes.diskMebibytes, syncEachBlock: false },
    diskSyncEachBlock: {
      blockBytes: mebibyte,
      blockCount: sizes.diskSyncEachBlockMebibytes,
      syncEachBlock: true,
    },
    append: [
      {
        id: 'small-never',
        label: '100 B, fsync never',
        spec: appendSpec(small, sizes.smallBatches, 'never'),
      },
      {
        id: 'small-always',
        label: '100 B, fsync always',
        spec: appendSpec(small, sizes.smallBatches, 'always'),
      },
      {
        id: 'small-interval',
        label: `100 B, fsync every ${intervalMs} ms`,
        spec: appendSpec(small, sizes.smallBatches, intervalMs),
      },
      {
        id: 'large-never',
        label: '1 KiB, fsync never',
        spec: appendSpec(large, sizes.largeBatches, 'never'),
      },
      {
        id: 'large-always',
        label: '1 KiB, fsync always',
        spec: appendSpec(large, sizes.largeBatches, 'always'),
      },
    ],
    read: { ...large, batchCount: sizes.largeBatches, maxBytes: mebibyte },
  }
}
