// Proves the replication harness starts a 3-broker cluster, measures RF 1 vs RF 3 throughput and latency and one leader kill at tiny sizes, renders its tables, and leaves no temp directory or broker process behind; never checks speed.
import { existsSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { weirCliPath } from '../src/e2e/weir-server.js'
import { checkReplicationTargets, replicationTables } from '../src/replication/replication-report.js'
import { type ReplicationSizes, runReplicationSuite } from '../src/replication/replication-suite.js'
import { renderMarkdown } from '../src/report.js'
import { childProcesses, leftoverDirectories } from './support/leftovers.js'

const tinySizes: ReplicationSizes = {
  fsyncPolicies: ['always'],
  partitions: 8,
  valueBytes: 100,
  messages: 2_000,
  warmupMessages: 200,
  windowMessages: 2_000,
  latencyRatePerSecond: 2_000,
  latencySeconds: 0.3,
  repetitions: 1,
  failover: { kills: 1, probeIntervalMs: 25, settleMs: 200, failoverTimeoutMs: 15_000 },
}

const silent = { caseStarted() {}, runStarted() {}, progress() {}, runFinished() {} }

/** Broker processes that are children of this test process. */
const childBrokers = () => childProcesses(/cli\/main\.js/)

// uvu loads test files as CommonJS (no top-level await): the broker's presence is checked synchronously.
const built = existsSync(weirCliPath)
const cluster = built ? test : test.skip
if (!built) console.log(`replication-harness: skipped: ${weirCliPath} is missing: run \`pnpm build\` first`)

cluster('RF 1 vs RF 3 and one failover return figures, render, and leave nothing behind', async () => {
  const before = await leftoverDirectories()
  const results = await runReplicationSuite(tinySizes, silent)
  assert.equal(
    results.throughput.map((entry) => entry.replicationFactor),
    [1, 3],
  )
  for (const { label, measurement, leaders } of results.throughput) {
    assert.is(measurement.messages, tinySizes.messages, label)
    assert.ok(measurement.messagesPerSecond > 0 && Number.isFinite(measurement.messagesPerSecond), label)
    assert.is(leaders.length, tinySizes.partitions, label)
  }
  for (const { label, measurement } of results.latency) {
    assert.is(measurement.messages, 600, label)
    assert.ok(measurement.p50Ms > 0 && measurement.p50Ms <= measurement.p99Ms, label)
  }
  const failover = results.failover!
  assert.is(failover.error, undefined, failover.error)
  const measurement = failover.measurement!
  assert.is(measurement.kills.length, 1)
  const kill = measurement.kills[0]!
  assert.ok(kill.failoverMs > 0 && kill.newLeaderId !== kill.killedBrokerId)
  assert.is(measurement.p99Ms, kill.failoverMs)

  const targets = checkReplicationTargets(results)
  assert.is(targets.length, 2)
  const markdown = renderMarkdown('heading', replicationTables(results, targets))
  assert.ok(markdown.includes('Failover'))
  assert.not.match(markdown, /NaN|undefined/)
  assert.equal(await leftoverDirectories(), before)
  assert.equal(childBrokers(), [])
})

test.run()
