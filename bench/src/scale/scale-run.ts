// `pnpm bench -- --only scale`: runs the scale rows and writes <date>-scale-<suite>.json (every
// figure, the sizes, the machine, the load average before and after), .md (the tables) and
// -scale.svg (cost against size). Exported for the default run too: runScale(options).
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import type { Machine } from '../machine.js'
import { secondsSince } from '../measurement.js'
import { renderMarkdown, renderText } from '../report.js'
import type { SuiteName } from '../suites.js'
import { scaleChart } from './scale-chart.js'
import { scalePanels, scaleTables } from './scale-report.js'
import { runScaleSuite, type ScaleReporter, scaleSizes } from './scale-suite.js'

export interface ScaleRunOptions {
  readonly suite: SuiteName
  readonly outDirectory: string
  readonly date: string
  readonly machine: Machine
  readonly heading: string
}

function consoleScaleReporter(): ScaleReporter {
  let tenth = 0
  let startedMs = 0
  let lineOpen = false
  const closeLine = () => {
    if (lineOpen) process.stdout.write('\n')
    lineOpen = false
  }
  return {
    caseStarted(step, steps, label) {
      tenth = 0
      startedMs = performance.now()
      closeLine()
      console.log(`[${step}/${steps}] ${label}`)
    },
    progress(done, total) {
      while (tenth < 10 && done >= (total * (tenth + 1)) / 10) {
        if (!lineOpen) process.stdout.write(' ')
        lineOpen = true
        tenth++
        process.stdout.write(` ${tenth * 10}%`)
      }
    },
    note(line) {
      closeLine()
      console.log(`  ${line}`)
    },
    caseFinished(summary) {
      closeLine()
      console.log(`  → ${summary} (${secondsSince(startedMs).toFixed(1)} s)`)
    },
  }
}

async function writeAtomically(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content)
  await rename(`${path}.tmp`, path)
}

export async function runScale(options: ScaleRunOptions): Promise<void> {
  const startedAt = new Date().toISOString()
  const loadBefore = loadavg()
  const started = performance.now()
  console.log(`\n${options.heading}\n`)
  console.log(`load average before: ${loadBefore.map((load) => load.toFixed(2)).join(', ')}`)
  const sizes = scaleSizes[options.suite]
  const results = await runScaleSuite(sizes, consoleScaleReporter())
  const seconds = secondsSince(started)
  const loadAfter = loadavg()
  const tables = scaleTables(results)
  const loads = `Load average (1, 5, 15 min) before: ${loadBefore.map((load) => load.toFixed(2)).join(', ')}; after: ${loadAfter.map((load) => load.toFixed(2)).join(', ')}.`
  const heading = `${options.heading} ${loads}`
  console.log(`\n${renderText(heading, tables)}`)
  console.log(`scale took ${seconds.toFixed(0)} s`)
  await mkdir(options.outDirectory, { recursive: true })
  const name = `${options.date}-scale-${options.suite}`
  const base = join(options.outDirectory, name)
  const record = {
    suite: options.suite,
    date: options.date,
    startedAt,
    seconds,
    machine: options.machine,
    loadBefore,
    loadAfter,
    sizes,
    results,
  }
  await writeAtomically(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`)
  await writeAtomically(
    `${base}.md`,
    `${renderMarkdown(heading, tables)}\n![cost against size](${name}.svg)\n`,
  )
  await writeAtomically(
    `${base}.svg`,
    scaleChart(scalePanels(results), `Cost against size, ${options.suite} suite, ${options.date}`),
  )
  console.log(`wrote ${base}.json, .md and .svg`)
}
