// `pnpm bench [-- --suite quick|full] [--only compare|storage|e2e|replication|failover] [--out <dir>]`:
// by default the comparison of Weir with Redis Streams and NATS JetStream (issue 4), then the
// replication, rebalance, codecs and scale parts (issue 14), each writing its own files; the comparison writes
// <out>/<YYYY-MM-DD>-<suite>.json/.md/-throughput.svg/-latency.svg; `--only storage` runs the
// storage benchmarks (<date>-storage-<suite>.*), `--only e2e` Weir's own end-to-end cases
// (<date>-e2e-<suite>.*), `--only replication` RF 1 vs RF 3 on a 3-broker cluster and the failover
// time (<date>-replication-<suite>.*), `--only failover` the failover time alone
// (<date>-failover-<suite>.*), `--only security` plain TCP vs TLS + SCRAM (<date>-security-<suite>.*),
// `--only codecs` bytes on disk and throughput per compression codec (<date>-codecs-<suite>.*).
// `--only rebalance` consumer group settling and hand-over times (<date>-rebalance-<suite>.*).
// `--only scale` many partitions, topics, connections and a large log (<date>-scale-<suite>.*).
// `--only kafka` KafkaJS over the Kafka listener vs Weir's own client (<date>-kafka-<suite>.*).
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runCodecs } from './codecs/codecs-run.js'
import { runComparison } from './compare/compare-run.js'
import { checkE2eTargets, e2eTables } from './e2e/e2e-report.js'
import { e2eSizes, runE2eSuite } from './e2e/e2e-suite.js'
import { kafkaTables } from './kafka/kafka-report.js'
import { kafkaBenchSizes, runKafkaSuite } from './kafka/kafka-suite.js'
import { describeMachine, type Machine } from './machine.js'
import { secondsSince } from './measurement.js'
import {
  checkRebalanceTargets,
  rebalanceSizes,
  rebalanceTables,
  runRebalanceSuite,
} from './rebalance/rebalance-suite.js'
import { checkReplicationTargets, replicationTables } from './replication/replication-report.js'
import { replicationSizes, runReplicationSuite } from './replication/replication-suite.js'
import { describeRun, renderMarkdown, renderText, storageTables, type Table } from './report.js'
import { runScale } from './scale/scale-run.js'
import {
  checkSecurityTargets,
  runSecuritySuite,
  securitySizes,
  securityTables,
} from './security/security-suite.js'
import { findWeir } from './servers/weir.js'
import { runStorageSuite, type SuiteReporter } from './storage-suite.js'
import { type SuiteName, storageSuite, suiteNames, suiteSizes } from './suites.js'
import { checkTargets, type TargetCheck } from './targets.js'

const usage =
  'usage: pnpm bench [-- --suite quick|full] [--only compare|storage|e2e|replication|failover|security|codecs|rebalance|scale|kafka] [--out <dir>]'
const parts = [
  'compare',
  'storage',
  'e2e',
  'replication',
  'failover',
  'security',
  'codecs',
  'rebalance',
  'scale',
  'kafka',
] as const
type Part = (typeof parts)[number]
const defaultParts: readonly Part[] = ['compare', 'replication', 'rebalance', 'codecs', 'scale', 'kafka']
const defaultOutDirectory = fileURLToPath(new URL('../results/', import.meta.url))

interface Options {
  readonly suite: SuiteName
  readonly outDirectory: string
  readonly parts: readonly Part[]
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    // `pnpm bench -- --suite full` hands the script a literal `--`; it means nothing here.
    args: argv.filter((argument) => argument !== '--'),
    options: {
      suite: { type: 'string', default: 'quick' },
      out: { type: 'string' },
      only: { type: 'string' },
    },
  })
  const suite = suiteNames.find((name) => name === values.suite)
  if (!suite) throw new Error(`--suite must be one of ${suiteNames.join(', ')}, got ${values.suite}`)
  const only = parts.find((part) => part === values.only)
  if (values.only !== undefined && !only)
    throw new Error(`--only must be one of ${parts.join(', ')}, got ${values.only}`)
  // pnpm runs the script inside bench/; a relative --out means relative to where the user typed it.
  const base = process.env.INIT_CWD ?? process.cwd()
  return {
    suite,
    outDirectory: values.out === undefined ? defaultOutDirectory : resolve(base, values.out),
    // The default run is every row issue 14 judges (the comparison, replication, rebalance, codecs,
    // scale) and issue 16's KafkaJS rows.
    parts: only ? [only] : defaultParts,
  }
}

function consoleReporter(): SuiteReporter {
  const quartersMax = 4
  let quarter = 1
  let runStartedMs = 0
  return {
    caseStarted(step, steps, label) {
      console.log(`[${step}/${steps}] ${label}`)
    },
    runStarted(run, runs) {
      quarter = 1
      runStartedMs = performance.now()
      process.stdout.write(`  run ${run}/${runs}:`)
    },
    progress(done, total) {
      while (quarter <= quartersMax && done >= (total * quarter) / 4) {
        process.stdout.write(` ${quarter * 25}%`)
        quarter++
      }
    },
    runFinished(summary) {
      process.stdout.write(`: ${summary} (${secondsSince(runStartedMs).toFixed(2)} s with setup)\n`)
    },
    medianChosen(summary) {
      console.log(`  median: ${summary}`)
    },
  }
}

/** Local calendar date, as the person running the benchmark reads it. */
function today(): string {
  const now = new Date()
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

async function writeAtomically(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content)
  await rename(`${path}.tmp`, path)
}

/** The heading of one part's run (suite, date, machine), printed before its measurements start. */
function announceRun(options: Options, date: string, machine: Machine, title: string): string {
  const heading = describeRun({ suite: options.suite, date, machine, title })
  console.log(`\n${heading}\n`)
  return heading
}

/** Writes `<out>/<name>-<suite>.json` (the record) and `.md` (the tables under the heading). */
async function writeResults(
  options: Options,
  name: string,
  record: object,
  heading: string,
  tables: readonly Table[],
): Promise<void> {
  await mkdir(options.outDirectory, { recursive: true })
  const base = join(options.outDirectory, `${name}-${options.suite}`)
  await writeAtomically(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`)
  await writeAtomically(`${base}.md`, renderMarkdown(heading, tables))
  console.log(`wrote ${base}.json and ${base}.md`)
}

async function main(options: Options): Promise<void> {
  if (options.parts.includes('compare')) {
    const machine = describeMachine()
    const date = today()
    const title = 'Weir vs Redis Streams vs NATS JetStream, everything on 127.0.0.1'
    const heading = describeRun({ suite: options.suite, date, machine, title })
    await runComparison({ suite: options.suite, outDirectory: options.outDirectory, date, machine, heading })
  }
  if (options.parts.includes('storage')) await runStorage(options)
  if (options.parts.includes('e2e')) await runEndToEnd(options)
  if (options.parts.includes('replication')) await runReplication(options, 'replication')
  if (options.parts.includes('failover')) await runReplication(options, 'failover')
  if (options.parts.includes('security')) await runSecurity(options)
  if (options.parts.includes('codecs')) {
    const { suite, outDirectory } = options
    await runCodecs({
      suite,
      outDirectory,
      date: today(),
      machine: describeMachine(),
      reporter: consoleReporter(),
    })
  }
  if (options.parts.includes('rebalance')) await runRebalance(options)
  if (options.parts.includes('kafka')) await runKafka(options)
  if (options.parts.includes('scale')) {
    const machine = describeMachine()
    const date = today()
    const title = 'Weir at scale: partitions, topics, connections, a large log (broker in its own process)'
    const heading = describeRun({ suite: options.suite, date, machine, title })
    await runScale({ suite: options.suite, outDirectory: options.outDirectory, date, machine, heading })
  }
}

async function runRebalance(options: Options): Promise<void> {
  const sizes = rebalanceSizes[options.suite]
  await runMeasuredPart(options, {
    name: 'rebalance',
    title: 'Weir consumer group rebalance (broker in its own process, default settings)',
    sizes,
    run: () => runRebalanceSuite(sizes, consoleReporter()),
    check: checkRebalanceTargets,
    tables: rebalanceTables,
  })
}

async function runKafka(options: Options): Promise<void> {
  const sizes = kafkaBenchSizes[options.suite]
  await runMeasuredPart(options, {
    name: 'kafka',
    title: 'KafkaJS over the Kafka listener vs Weir client (broker in its own process, 127.0.0.1)',
    sizes,
    run: () => runKafkaSuite(sizes, consoleReporter()),
    // No target: the issue asks for the rows, not a bound.
    check: () => [],
    tables: (results) => kafkaTables(results),
  })
}

async function runSecurity(options: Options): Promise<void> {
  const sizes = securitySizes[options.suite]
  await runMeasuredPart(options, {
    name: 'security',
    title: 'Weir with TLS and SCRAM vs plain TCP (broker in its own process)',
    sizes,
    run: () => runSecuritySuite(sizes, consoleReporter()),
    check: checkSecurityTargets,
    tables: securityTables,
  })
}

/** One part that measures, checks its targets and writes `<date>-<name>-<suite>.json/.md`. */
async function runMeasuredPart<Results, Sizes>(
  options: Options,
  part: {
    readonly name: string
    readonly title: string
    readonly sizes: Sizes
    run(): Promise<Results>
    check(results: Results): TargetCheck[]
    tables(results: Results, targets: readonly TargetCheck[]): Table[]
  },
): Promise<void> {
  const machine = describeMachine()
  const date = today()
  const startedAt = new Date().toISOString()
  const heading = announceRun(options, date, machine, part.title)
  const results = await part.run()
  const targets = part.check(results)
  const tables = part.tables(results, targets)
  console.log(`\n${renderText(heading, tables)}`)
  const record = { suite: options.suite, date, startedAt, machine, sizes: part.sizes, results, targets }
  await writeResults(options, `${date}-${part.name}`, record, heading, tables)
}

/** `replication`: RF 1 vs RF 3 throughput and latency, then failover; `failover`: failover alone. */
async function runReplication(options: Options, part: 'replication' | 'failover'): Promise<void> {
  const weir = await findWeir()
  if (!weir.available) throw new Error(`the replication benchmark needs the weir broker: ${weir.reason}`)
  const machine: Machine = describeMachine()
  const date = today()
  const startedAt = new Date().toISOString()
  const started = performance.now()
  const heading = announceRun(
    options,
    date,
    machine,
    'Weir replication benchmark (3 brokers, each its own process, on 127.0.0.1)',
  )
  const sizes = replicationSizes[options.suite]
  const results = await runReplicationSuite(sizes, consoleReporter(), {
    produce: part === 'replication',
    failover: true,
  })
  const targets = checkReplicationTargets(results)
  const tables = replicationTables(results, targets, machine.cores)
  const seconds = secondsSince(started)
  console.log(`\n${renderText(heading, tables)}`)
  if (results.failover?.error !== undefined) console.log(`failover error:\n${results.failover.error}\n`)
  console.log(`${part} took ${seconds.toFixed(0)} s`)
  const record = {
    suite: options.suite,
    date,
    startedAt,
    seconds,
    machine,
    server: weir.version,
    sizes,
    results,
    targets,
  }
  await writeResults(options, `${date}-${part}`, record, heading, tables)
}

async function runEndToEnd(options: Options): Promise<void> {
  const sizes = e2eSizes[options.suite]
  await runMeasuredPart(options, {
    name: 'e2e',
    title: 'Weir end-to-end benchmark (TCP, broker in its own process)',
    sizes,
    run: () => runE2eSuite(sizes, consoleReporter()),
    check: checkE2eTargets,
    tables: e2eTables,
  })
}

async function runStorage(options: Options): Promise<void> {
  const machine = describeMachine()
  const date = today()
  const startedAt = new Date().toISOString()
  const heading = describeRun({ suite: options.suite, date, machine, title: 'Weir storage benchmark' })
  console.log(`${heading}\n`)
  const sizes = suiteSizes[options.suite]
  const results = await runStorageSuite(storageSuite(sizes), consoleReporter())
  const targets = checkTargets(results)
  const tables = storageTables(results, targets)
  console.log(`\n${renderText(heading, tables)}`)

  const record = { suite: options.suite, date, startedAt, machine, sizes, results, targets }
  await writeResults(options, `${date}-storage`, record, heading, tables)
}

let options: Options
try {
  options = parseOptions(process.argv.slice(2))
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`)
  process.exit(2)
}
await main(options)
