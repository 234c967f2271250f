// Proves the comparison harness runs every workload through every available server (Weir, redis-server, nats-server) at tiny sizes, renders its tables and charts, and leaves no temp directory or server process behind; never checks speed.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { latencyChart, throughputChart } from '../src/compare/charts.js'
import { checkCompareTargets, compareTables } from '../src/compare/compare-report.js'
import type { CompareSizes } from '../src/compare/compare-sizes.js'
import { type CompareReporter, runCompareSuite, throughputWorkloads } from '../src/compare/compare-suite.js'
import { renderMarkdown } from '../src/report.js'
import { childProcesses, leftoverDirectories } from './support/leftovers.js'

const tinySizes: CompareSizes = {
  smallMessages: 2_000,
  largeMessages: 500,
  warmupMessages: 200,
  latencySeconds: 0.3,
  latencyRatePerSecond: 10_000,
  groupMessages: 2_000,
  groupBench: { messages: 2_000, memberCounts: [1, 2, 4], rebalances: 2, trickleIntervalMs: 5 },
  scalingMessages: { 100: 1_000, 1024: 200, 16384: 20 },
  scalingPartitions: [1, 8],
  diskMebibytes: 4,
  diskSyncEachBlockMebibytes: 2,
  loopbackMebibytes: 16,
  repetitions: 1,
}

const notices: string[] = []
const silent: CompareReporter = {
  section() {},
  workloadStarted() {},
  progress() {},
  workloadFinished() {},
  notice: (message) => notices.push(message),
}

/** Server processes that are children of this test process. */
const childServers = () => childProcesses(/redis-server|nats-server|cli\/main\.js|node -e/)

test('every workload of every available system returns figures; skipped systems say why', async () => {
  const before = await leftoverDirectories()
  const results = await runCompareSuite(tinySizes, silent)
  for (const system of results.systems) {
    if (system.skipped !== undefined) {
      // The smoke test cannot run a server that is not installed; it says which package to install.
      console.log(`compare-harness: ${system.label} skipped: ${system.skipped}`)
      assert.match(system.skipped, /apt-get install -y|pnpm build/)
      continue
    }
    assert.equal(system.errors, [], system.label)
    assert.ok(system.serverVersion, system.label)
    for (const workload of throughputWorkloads) {
      const entry = system.throughput[workload.id]
      assert.ok(entry, `${system.label} ${workload.id}`)
      assert.is(entry.measurement.messages, entry.spec.messages)
      assert.ok(
        entry.measurement.messagesPerSecond > 0 && Number.isFinite(entry.measurement.messagesPerSecond),
      )
    }
    const latency = system.latency?.measurement
    assert.ok(latency, `${system.label} latency`)
    assert.is(latency.messages, 3_000)
    assert.ok(latency.p50Ms > 0 && latency.p50Ms <= latency.p99Ms && latency.p99Ms <= latency.maxMs)
  }
  const weir = results.systems.find((system) => system.isWeir)!
  if (weir.skipped === undefined) {
    assert.is(results.scaling.length, tinySizes.scalingPartitions.length + 2)
    const groups = results.groups!
    assert.equal(groups.errors, [])
    assert.equal(
      groups.throughput.map((entry) => entry.spec.members),
      tinySizes.groupBench.memberCounts,
    )
    for (const entry of groups.throughput) {
      assert.is(entry.measurement.messages, tinySizes.groupBench.messages)
      assert.is(entry.measurement.perMember.length, entry.spec.members)
      assert.ok(
        entry.measurement.messagesPerSecond > 0 && Number.isFinite(entry.measurement.messagesPerSecond),
      )
    }
    assert.equal(
      groups.rebalance.map((entry) => [entry.statistics.kind, entry.statistics.rebalances]),
      [
        ['leave', 2],
        ['join', 2],
      ],
    )
    for (const { statistics } of groups.rebalance)
      assert.ok(statistics.p50Ms >= 0 && statistics.p50Ms <= statistics.maxMs, statistics.kind)
  }
  assert.ok(results.limits.diskSyncOnce.measurement.megabytesPerSecond > 0)
  assert.ok(results.limits.loopback.measurement.megabytesPerSecond > 0)

  const targets = checkCompareTargets(results)
  const markdown = renderMarkdown('heading', compareTables(results, targets))
  assert.ok(markdown.includes('p99.9 ms'))
  assert.ok(markdown.includes('Targets of issues 4 and 5'))
  assert.ok(markdown.includes('rebalance'))
  for (const svg of [throughputChart(results, 'throughput'), latencyChart(results, 'latency')]) {
    assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'))
    assert.not.match(svg, /NaN|undefined|Infinity/)
  }
  assert.equal(await leftoverDirectories(), before)
  assert.equal(childServers(), [])
})

test.run()
