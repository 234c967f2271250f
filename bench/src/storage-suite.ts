// Runs every storage case of a suite in order, one at a time so no case competes with another for
// the disk. Each case runs several times and reports its median run: single runs on shared or
// virtual machines swing by 2x and more.
import { type DiskWriteMeasurement, type DiskWriteSpec, measureDiskWrite } from './disk-limit.js'
import { formatCount, formatMegabytes, formatRate } from './format.js'
import { medianRun, type Progress } from './measurement.js'
import { type AppendMeasurement, measureAppend } from './storage-append.js'
import { measureRead, type ReadMeasurement, type ReadSpec } from './storage-read.js'
import type { AppendCase, StorageSuite } from './suites.js'

export interface Repeated<Spec, Measurement> {
  readonly spec: Spec
  /** The median run, whole, so its figures agree with one another. */
  readonly measurement: Measurement
  readonly runs: readonly Measurement[]
}

export interface StorageResults {
  readonly diskSyncOnce: Repeated<DiskWriteSpec, DiskWriteMeasurement>
  readonly diskSyncEachBlock: Repeated<DiskWriteSpec, DiskWriteMeasurement>
  readonly append: ReadonlyArray<Omit<AppendCase, 'spec'> & Repeated<AppendCase['spec'], AppendMeasurement>>
  readonly read: Repeated<ReadSpec, ReadMeasurement>
}

/** Where a running suite says how far it got. */
export interface SuiteReporter {
  caseStarted(step: number, steps: number, label: string): void
  runStarted(run: number, runs: number): void
  readonly progress: Progress
  runFinished(summary: string): void
  medianChosen(summary: string): void
}

interface Measure<Spec, Measurement> {
  readonly label: string
  readonly spec: Spec
  readonly runs: number
  readonly run: (spec: Spec, progress: Progress) => Promise<Measurement>
  /** The figure the median is taken by. */
  readonly figure: (measurement: Measurement) => number
  readonly describe: (measurement: Measurement) => string
}

export async function runStorageSuite(suite: StorageSuite, reporter: SuiteReporter): Promise<StorageResults> {
  const steps = suite.append.length + 4
  let step = 0
  const repeat = async <Spec, Measurement>(measure: Measure<Spec, Measurement>) => {
    reporter.caseStarted(++step, steps, measure.label)
    const runs: Measurement[] = []
    for (let run = 1; run <= measure.runs; run++) {
      reporter.runStarted(run, measure.runs)
      const measurement = await measure.run(measure.spec, reporter.progress)
      reporter.runFinished(measure.describe(measurement))
      runs.push(measurement)
    }
    const measurement = medianRun(runs, measure.figure)
    if (runs.length > 1) reporter.medianChosen(measure.describe(measurement))
    return { spec: measure.spec, measurement, runs }
  }
  const disk = (label: string, spec: DiskWriteSpec, runs = suite.repetitions) => ({
    label: `${label}, ${spec.blockCount} MiB`,
    spec,
    runs,
    run: measureDiskWrite,
    figure: (measurement: DiskWriteMeasurement) => measurement.megabytesPerSecond,
    describe: (measurement: DiskWriteMeasurement) => `${formatRate(measurement.megabytesPerSecond)} MB/s`,
  })
  // Virtual machines often back guest memory lazily: the first pass over page-cache memory runs
  // several times slower than later ones, and would otherwise land on whichever case runs first.
  await repeat(disk('warm-up, not counted: raw disk, fdatasync once', suite.diskSyncOnce, 1))
  const diskSyncOnce = await repeat(disk('raw disk, fdatasync once', suite.diskSyncOnce))
  const diskSyncEachBlock = await repeat(disk('raw disk, fdatasync every MiB', suite.diskSyncEachBlock))
  const append = []
  for (const { spec, ...appendCase } of suite.append) {
    const repeated = await repeat({
      label: `append ${appendCase.label}, ${formatCount(spec.batchCount)} batches`,
      spec,
      runs: suite.repetitions,
      run: measureAppend,
      figure: (measurement) => measurement.recordsPerSecond,
      describe: (measurement) =>
        `${formatCount(measurement.recordsPerSecond)} records/s, ${formatRate(measurement.megabytesPerSecond)} MB/s`,
    })
    append.push({ ...appendCase, ...repeated })
  }
  const read = await repeat({
    label: `read ${formatCount(suite.read.batchCount)} batches of 1,000 × ${suite.read.recordBytes} B, written first`,
    spec: suite.read,
    runs: suite.repetitions,
    run: measureRead,
    figure: (measurement) => measurement.megabytesPerSecond,
    describe: (measurement) =>
      `${formatRate(measurement.megabytesPerSecond)} MB/s (warm cache), ` +
      `peak RSS growth ${formatMegabytes(measurement.rssPeakGrowthBytes)} MB`,
  })
  return { diskSyncOnce, diskSyncEachBlock, append, read }
}
