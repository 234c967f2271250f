// Turns one run's figures into tables, rendered as aligned text for the terminal and as Markdown
// for the results file: the same rows in both.

import type { LatencyMeasurement } from './e2e/latency.js'
import { formatCount, formatMegabytes, formatRate, formatRatio, formatSeconds } from './format.js'
import type { Machine } from './machine.js'
import type { StorageResults } from './storage-suite.js'
import type { TargetCheck } from './targets.js'

export interface RunDescription {
  readonly suite: string
  readonly date: string
  readonly machine: Machine
  readonly title: string
}

export interface Table {
  readonly title: string
  readonly header: readonly string[]
  readonly rows: ReadonlyArray<readonly string[]>
}

export function describeRun(run: RunDescription): string {
  const { machine } = run
  const memoryGibibytes = (machine.totalMemoryBytes / 2 ** 30).toFixed(1)
  return (
    `${run.title}, suite ${run.suite}, ${run.date}: ${machine.cpuModel} × ${machine.cores} cores, ` +
    `${memoryGibibytes} GiB, Node ${machine.nodeVersion}, ${machine.platform} ${machine.kernelRelease}. ` +
    'MB = 10^6 bytes.'
  )
}

export function storageTables(results: StorageResults, targets: readonly TargetCheck[]): Table[] {
  return [diskTable(results), appendTable(results), readTable(results), targetTable(targets)]
}

function diskTable(results: StorageResults): Table {
  const row = (label: string, { measurement }: StorageResults['diskSyncOnce']) => [
    label,
    formatMegabytes(measurement.bytes),
    formatSeconds(measurement.seconds),
    formatRate(measurement.megabytesPerSecond),
  ]
  return {
    title: 'Raw disk: node:fs positional writes of 1 MiB blocks',
    header: ['variant', 'MB', 's', 'MB/s'],
    rows: [
      row('write all, fdatasync once', results.diskSyncOnce),
      row('fdatasync after every block', results.diskSyncEachBlock),
    ],
  }
}

function appendTable(results: StorageResults): Table {
  const first = results.append[0]?.spec
  return {
    title:
      `PartitionLog.append: batches of ${formatCount(first?.recordsPerBatch ?? 0)} records, ` +
      `${first?.inFlight ?? '?'} appends in flight, pre-encoded`,
    header: ['case', 'records', 'MB', 's', 'records/s', 'MB/s', 'final flush s', 'MB/s incl. flush'],
    rows: results.append.map(({ label, measurement }) => [
      label,
      formatCount(measurement.records),
      formatMegabytes(measurement.bytes),
      formatSeconds(measurement.seconds),
      formatCount(measurement.recordsPerSecond),
      formatRate(measurement.megabytesPerSecond),
      formatSeconds(measurement.flushSeconds),
      formatRate(measurement.durableMegabytesPerSecond),
    ]),
  }
}

function readTable(results: StorageResults): Table {
  const { spec, measurement } = results.read
  return {
    title:
      `PartitionLog.read: reopened log, maxBytes ${formatCount(spec.maxBytes)}, ` +
      'warm cache (the OS page cache holds the file)',
    header: ['log MB', 'reads', 'open s', 's', 'records/s', 'MB/s', 'RSS before MB', 'peak RSS growth MB'],
    rows: [
      [
        formatMegabytes(measurement.logBytes),
        formatCount(measurement.reads),
        formatSeconds(measurement.openSeconds),
        formatSeconds(measurement.seconds),
        formatCount(measurement.recordsPerSecond),
        formatRate(measurement.megabytesPerSecond),
        formatMegabytes(measurement.rssBeforeBytes),
        formatMegabytes(measurement.rssPeakGrowthBytes),
      ],
    ],
  }
}

/** One row a target check: what was measured against what is required, and the verdict. */
export function targetTable(targets: readonly TargetCheck[], title = 'Targets'): Table {
  return {
    title,
    header: ['target', 'measured', 'ratio', 'required', 'verdict'],
    rows: targets.map((check) => [
      check.target,
      check.measured,
      formatRatio(check.ratio),
      check.required,
      check.meets ? 'meets' : 'misses',
    ]),
  }
}

/** Messages, achieved msg/s, then p50, p99, p99.9 and max in ms: a latency measurement's cells. */
export function latencyCells(measurement: LatencyMeasurement): string[] {
  return [
    formatCount(measurement.messages),
    formatCount(measurement.achievedRatePerSecond),
    measurement.p50Ms.toFixed(2),
    measurement.p99Ms.toFixed(2),
    measurement.p999Ms.toFixed(2),
    measurement.maxMs.toFixed(2),
  ]
}

/** One row a case: the percentiles of a fixed-rate latency measurement, in ms. */
export function latencyTable(
  title: string,
  cases: ReadonlyArray<{ readonly label: string; readonly measurement: LatencyMeasurement }>,
): Table {
  return {
    title,
    header: ['case', 'messages', 'achieved msg/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms'],
    rows: cases.map(({ label, measurement }) => [label, ...latencyCells(measurement)]),
  }
}

export function renderText(heading: string, tables: readonly Table[]): string {
  const blocks = tables.map((table) => {
    const lines = [table.header, ...table.rows]
    const widths = table.header.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)))
    const format = (line: readonly string[]) =>
      line
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd()
    const rule = widths.map((width) => '-'.repeat(width)).join('  ')
    return [table.title, format(table.header), rule, ...table.rows.map(format)].join('\n')
  })
  return `${heading}\n\n${blocks.join('\n\n')}\n`
}

export function renderMarkdown(heading: string, tables: readonly Table[]): string {
  const blocks = tables.map((table) => {
    const format = (line: readonly string[]) => `| ${line.join(' | ')} |`
    const rule = `|${table.header.map(() => '---').join('|')}|`
    return [`## ${table.title}`, '', format(table.header), rule, ...table.rows.map(format)].join('\n')
  })
  return `# ${heading}\n\n${blocks.join('\n\n')}\n`
}
