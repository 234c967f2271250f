// `pnpm bench -- --only codecs`: the codecs part, callable from the default run too. Writes
// <out>/<date>-codecs-<suite>.json (every run), .md (the tables) and .svg (bytes on disk and
// throughput per codec).
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Machine } from '../machine.js'
import { describeRun, renderMarkdown, renderText } from '../report.js'
import type { SuiteName } from '../suites.js'
import { codecsChart, codecsTables } from './codecs-report.js'
import { type CodecsReporter, type CodecsResults, codecsSizes, runCodecsSuite } from './codecs-suite.js'

export interface CodecsRunOptions {
  readonly suite: SuiteName
  readonly outDirectory: string
  readonly date: string
  readonly machine: Machine
  readonly reporter: CodecsReporter
}

async function writeAtomically(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content)
  await rename(`${path}.tmp`, path)
}

export async function runCodecs(options: CodecsRunOptions): Promise<CodecsResults> {
  const title = 'Weir compression codecs on JSON documents (broker in its own process, 127.0.0.1)'
  const heading = describeRun({ suite: options.suite, date: options.date, machine: options.machine, title })
  console.log(`\n${heading}\n`)
  const sizes = codecsSizes[options.suite]
  const startedAt = new Date().toISOString()
  const results = await runCodecsSuite(sizes, options.reporter)
  const tables = codecsTables(results)
  console.log(`\n${renderText(heading, tables)}`)
  await mkdir(options.outDirectory, { recursive: true })
  const base = join(options.outDirectory, `${options.date}-codecs-${options.suite}`)
  const record = {
    suite: options.suite,
    date: options.date,
    startedAt,
    machine: options.machine,
    sizes,
    results,
  }
  await writeAtomically(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`)
  await writeAtomically(
    `${base}.md`,
    `${renderMarkdown(heading, tables)}\n![codecs](${options.date}-codecs-${options.suite}.svg)\n`,
  )
  await writeAtomically(
    `${base}.svg`,
    codecsChart(results, `Codecs on JSON documents, suite ${options.suite}`),
  )
  console.log(`wrote ${base}.json, .md and .svg`)
  return results
}
