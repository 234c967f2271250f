// The comparison as `pnpm bench` runs it: progress lines while it runs, the tables at the end, and
// <out>/<date>-<suite>.json (every figure, the machine, every server and client version), .md
// (the same tables) and two SVG charts next to them.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Machine } from '../machine.js'
import { secondsSince } from '../measurement.js'
import { renderMarkdown, renderText } from '../report.js'
import type { SuiteName } from '../suites.js'
import { latencyChart, throughputChart } from './charts.js'
import { checkCompareTargets, compareTables } from './compare-report.js'
import { compareSizes } from './compare-sizes.js'
import { type CompareReporter, runCompareSuite } from './compare-suite.js'

export interface CompareRunOptions {
  readonly suite: SuiteName
  readonly outDirectory: string
  readonly date: string
  readonly machine: Machine
  readonly heading: string
}

const clientPackages = ['@weir/client', 'ioredis', 'nats', 'hdr-histogram-js'] as const

/** Versions of the client libraries as installed for bench/ (its node_modules). */
async function clientVersions(): Promise<Record<string, string>> {
  const versions: Record<string, string> = {}
  for (const name of clientPackages) {
    const path = fileURLToPath(new URL(`../../node_modules/${name}/package.json`, import.meta.url))
    try {
      versions[name] = (JSON.parse(await readFile(path, 'utf8')) as { version: string }).version
    } catch {
      versions[name] = 'unknown'
    }
  }
  return versions
}

export function consoleCompareReporter(): CompareReporter {
  const quartersMax = 4
  let quarter = 1
  let startedMs = 0
  let lineOpen = false
  const closeLine = () => {
    if (lineOpen) process.stdout.write('\n')
    lineOpen = false
  }
  return {
    section(title) {
      closeLine()
      console.log(title)
    },
    workloadStarted(label) {
      closeLine()
      quarter = 1
      startedMs = performance.now()
      process.stdout.write(`  ${label}:`)
      lineOpen = true
    },
    progress(done, total) {
      while (quarter <= quartersMax && done >= (total * quarter) / 4) {
        process.stdout.write(` ${quarter * 25}%`)
        quarter++
      }
    },
    workloadFinished(summary) {
      process.stdout.write(` → ${summary} (${secondsSince(startedMs).toFixed(1)} s)\n`)
      lineOpen = false
    },
    notice(message) {
      closeLine()
      console.log(`  ! ${message}`)
    },
  }
}

async function writeAtomically(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content)
  await rename(`${path}.tmp`, path)
}

export async function runComparison(options: CompareRunOptions): Promise<void> {
  const startedAt = new Date().toISOString()
  const started = performance.now()
  console.log(`\n${options.heading}\n`)
  const sizes = compareSizes[options.suite]
  const results = await runCompareSuite(sizes, consoleCompareReporter())
  const targets = checkCompareTargets(results)
  const tables = compareTables(results, targets)
  const seconds = secondsSince(started)
  console.log(`\n${renderText(options.heading, tables)}`)
  console.log(`comparison took ${seconds.toFixed(0)} s`)
  await mkdir(options.outDirectory, { recursive: true })
  const name = `${options.date}-${options.suite}`
  const base = join(options.outDirectory, name)
  const record = {
    suite: options.suite,
    date: options.date,
    startedAt,
    seconds,
    machine: options.machine,
    servers: Object.fromEntries(
      results.systems.map((system) => [system.id, system.serverVersion ?? `skipped: ${system.skipped}`]),
    ),
    clients: await clientVersions(),
    sizes,
    results,
    targets,
  }
  await writeAtomically(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`)
  const charts = `![throughput](${name}-throughput.svg)\n\n![latency](${name}-latency.svg)\n`
  const markdown = renderMarkdown(options.heading, tables)
  await writeAtomically(`${base}.md`, `${markdown}\n${charts}`)
  const title = `${options.suite} suite, ${options.date}`
  await writeAtomically(
    `${base}-throughput.svg`,
    throughputChart(results, `Throughput by workload, ${title}`),
  )
  await writeAtomically(
    `${base}-latency.svg`,
    latencyChart(results, `Latency by percentile at 10,000 msg/s, ${title}`),
  )
  console.log(`wrote ${base}.json, .md, -throughput.svg and -latency.svg`)
}
