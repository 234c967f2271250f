// The table a chaos run ends with: one row per scenario over its runs, as text for the terminal
// and as Markdown for docs/reliability.md. Pure formatting.
import type { RunResult } from './run-scenario.js'

export interface ScenarioRow {
  readonly scenario: string
  readonly runs: number
  readonly acked: number
  readonly lost: number
  readonly duplicates: number
  readonly inconsistent: number
  readonly orderViolations: number
  readonly pollSkips: number
  readonly nonMonotonicCommits: number
  readonly replicasDiffer: number
  readonly longestAckGapMs: number
  readonly failoverP50Ms: number
  readonly failoverP99Ms: number
  readonly failoverMaxMs: number
  readonly errors: number
  readonly pass: boolean
}

/**
 * Sums the counts of a scenario's runs; the gap and failover max are the worst run's, p50 the
 * median of the runs' p50s and p99 the worst run's p99 (samples are not pooled across runs).
 */
export function summarize(results: readonly RunResult[]): ScenarioRow[] {
  const byScenario = new Map<string, RunResult[]>()
  for (const result of results) {
    const list = byScenario.get(result.scenario)
    if (list === undefined) byScenario.set(result.scenario, [result])
    else list.push(result)
  }
  return [...byScenario].map(([scenario, runs]) => {
    const sum = (pick: (run: RunResult) => number) => runs.reduce((total, run) => total + pick(run), 0)
    const max = (pick: (run: RunResult) => number) => Math.max(...runs.map(pick))
    const p50s = runs.map((run) => run.result.failover.p50Ms).sort((a, b) => a - b)
    return {
      scenario,
      runs: runs.length,
      acked: sum((run) => run.result.acked),
      lost: sum((run) => run.result.lost),
      duplicates: sum((run) => run.result.duplicates),
      inconsistent: sum((run) => run.result.inconsistent),
      orderViolations: sum((run) => run.result.orderViolations),
      pollSkips: sum((run) => run.result.pollSkips),
      nonMonotonicCommits: sum((run) => run.result.nonMonotonicCommits),
      replicasDiffer: sum((run) => run.result.replicasDiffer),
      longestAckGapMs: max((run) => run.result.longestAckGapMs),
      failoverP50Ms: p50s[Math.floor((p50s.length - 1) / 2)] ?? 0,
      failoverP99Ms: max((run) => run.result.failover.p99Ms),
      failoverMaxMs: max((run) => run.result.failover.maxMs),
      errors: runs.filter((run) => run.error !== undefined).length,
      pass: runs.every((run) => run.result.pass && run.error === undefined),
    }
  })
}

const headers = [
  'scenario',
  'runs',
  'acked',
  'lost',
  'duplicates',
  'inconsistent',
  'order',
  'poll skips',
  'non-monotonic commits',
  'replicas differ',
  'longest ack gap',
  'failover p50/p99/max',
  'result',
]

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

function cells(row: ScenarioRow): string[] {
  return [
    row.scenario,
    String(row.runs),
    String(row.acked),
    String(row.lost),
    String(row.duplicates),
    String(row.inconsistent),
    String(row.orderViolations),
    String(row.pollSkips),
    String(row.nonMonotonicCommits),
    String(row.replicasDiffer),
    seconds(row.longestAckGapMs),
    `${seconds(row.failoverP50Ms)} / ${seconds(row.failoverP99Ms)} / ${seconds(row.failoverMaxMs)}`,
    row.pass
      ? 'pass'
      : row.errors > 0
        ? `FAIL (${row.errors} run error${row.errors > 1 ? 's' : ''})`
        : 'FAIL',
  ]
}

export function textTable(rows: readonly ScenarioRow[]): string {
  const table = [headers, ...rows.map(cells)]
  const widths = headers.map((_, column) => Math.max(...table.map((line) => line[column]!.length)))
  return table.map((line) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')).join('\n')
}

/** Padded like Biome formats Markdown tables, so a table written into docs passes `pnpm lint`. */
export function markdownTable(rows: readonly ScenarioRow[]): string {
  const table = [headers, ...rows.map(cells)]
  const widths = headers.map((_, column) => Math.max(...table.map((line) => line[column]!.length)))
  const line = (values: readonly string[]) =>
    `| ${values.map((value, column) => value.padEnd(widths[column]!)).join(' | ')} |`
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...table.slice(1).map(line)].join(
    '\n',
  )
}
