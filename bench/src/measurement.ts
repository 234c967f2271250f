// What every measurement shares: how it reports progress, its unit of bytes, its clock.

/** Called as a measurement advances; `done` reaches `total` at the end. */
export type Progress = (done: number, total: number) => void

/** Throughput is in MB/s with MB = 10^6 bytes, as disk vendors and fio report it. */
export const megabyteBytes = 1_000_000

export function secondsSince(startMs: number): number {
  return (performance.now() - startMs) / 1000
}

/** The run whose `figure` is the median of all runs (the lower middle one for an even count). */
export function medianRun<T>(runs: readonly T[], figure: (run: T) => number): T {
  if (runs.length === 0) throw new Error('medianRun needs at least one run')
  const sorted = [...runs].sort((left, right) => figure(left) - figure(right))
  return sorted[Math.floor((sorted.length - 1) / 2)]!
}
