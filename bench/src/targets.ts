// The storage engine's throughput targets, checked against one run's figures. A benchmark reports
// a miss; it never fails on one.
import { formatCount, formatRate } from './format.js'
import type { StorageResults } from './storage-suite.js'
import type { AppendCaseId } from './suites.js'

export const smallNeverRecordsPerSecondMin = 2_000_000
/** Share of the raw disk bandwidth (write all, fdatasync once) that 1 KiB appends must reach. */
export const largeNeverDiskShareMin = 0.6
/** Group commit may cost at most this factor of throughput against fsync 'never'. */
export const neverOverAlwaysMax = 2

export interface TargetCheck {
  readonly target: string
  readonly measured: string
  readonly ratio: number
  readonly required: string
  readonly meets: boolean
}

export function checkTargets(results: StorageResults): TargetCheck[] {
  const find = (id: AppendCaseId) => results.append.find((entry) => entry.id === id)?.measurement
  const checks: TargetCheck[] = []
  const smallNever = find('small-never')
  const smallAlways = find('small-always')
  const largeNever = find('large-never')
  const largeAlways = find('large-always')
  if (smallNever) {
    const ratio = smallNever.recordsPerSecond / smallNeverRecordsPerSecondMin
    checks.push({
      target: `100 B, fsync never: ≥ ${formatCount(smallNeverRecordsPerSecondMin)} records/s`,
      measured: `${formatCount(smallNever.recordsPerSecond)} records/s`,
      ratio,
      required: '≥ 1.00',
      meets: ratio >= 1,
    })
  }
  if (largeNever) {
    // Both sides put every byte on disk before the clock stops: the append figure includes the final flush.
    const disk = results.diskSyncOnce.measurement.megabytesPerSecond
    const ratio = largeNever.durableMegabytesPerSecond / disk
    checks.push({
      target: `1 KiB, fsync never: ≥ ${largeNeverDiskShareMin * 100}% of raw disk bandwidth`,
      measured: `${formatRate(largeNever.durableMegabytesPerSecond)} MB/s incl. flush vs ${formatRate(disk)} MB/s disk`,
      ratio,
      required: `≥ ${largeNeverDiskShareMin.toFixed(2)}`,
      meets: ratio >= largeNeverDiskShareMin,
    })
  }
  for (const [label, never, always] of [
    ['100 B', smallNever, smallAlways],
    ['1 KiB', largeNever, largeAlways],
  ] as const) {
    if (!never || !always) continue
    const ratio = never.recordsPerSecond / always.recordsPerSecond
    checks.push({
      target: `${label}: group commit (always) within ${neverOverAlwaysMax}x of never`,
      measured: `never ${formatCount(never.recordsPerSecond)} vs always ${formatCount(always.recordsPerSecond)} records/s`,
      ratio,
      required: `≤ ${neverOverAlwaysMax.toFixed(2)}`,
      meets: ratio <= neverOverAlwaysMax,
    })
  }
  return checks
}
