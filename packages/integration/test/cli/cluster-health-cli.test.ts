// Proves `weir cluster health` and `weir broker --metrics-listen` with the real binary: a healthy
// broker alone exits 0 (text and --json) and serves /metrics, /health and /ready over HTTP; a bad
// --metrics-listen is a usage error; a 3-broker cluster with one broker killed exits 1 naming the
// dead broker and the under-replicated partitions.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startCluster, waitFor } from '../cluster/cluster-support.js'
import { killChildren, run, spawnCli } from './cli-support.js'

const directories: string[] = []

test.after(async () => {
  killChildren()
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })))
})

/** `weir broker` on free ports; resolves with its client and metrics addresses, read from its log. */
async function brokerWithMetrics(): Promise<{ bootstrap: string; metrics: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'weir-cli-health-'))
  directories.push(dataDir)
  const child = spawnCli([
    'broker',
    '--listen',
    '127.0.0.1:0',
    '--metrics-listen',
    '127.0.0.1:0',
    '--data-dir',
    dataDir,
  ])
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const bootstrap = /listening on (127\.0\.0\.1:\d+)/.exec(output)?.[1]
      const metrics = /serving metrics on http:\/\/(127\.0\.0\.1:\d+)\/metrics/.exec(output)?.[1]
      if (bootstrap !== undefined && metrics !== undefined) resolve({ bootstrap, metrics })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}:\n${output}`)))
  })
}

test('a healthy broker alone: health exits 0, --json says so, and the metrics listener answers', async () => {
  const { bootstrap, metrics } = await brokerWithMetrics()
  const created = await run(['topics', 'create', 'orders', '--partitions', '2', '--bootstrap', bootstrap])
  assert.is(created.code, 0, created.stderr)
  const produced = await run(['produce', 'orders', '--bootstrap', bootstrap], 'a\nb\nc\n')
  assert.is(produced.code, 0, produced.stderr)

  const health = await run(['cluster', 'health', '--bootstrap', bootstrap])
  assert.is(health.code, 0, health.stdout + health.stderr)
  assert.match(
    health.stdout,
    /^healthy: controller broker 1; 1 of 1 brokers alive; 0 offline and 0 under-replicated of \d+ partitions\n$/,
  )
  const json = await run(['cluster', 'health', '--json', '--bootstrap', bootstrap])
  assert.is(json.code, 0, json.stderr)
  const report = JSON.parse(json.stdout) as { healthy: boolean; partitions: { total: number } }
  assert.is(report.healthy, true)
  // orders' 2 partitions and __consumer_offsets' (a broker alone creates it at its first start).
  assert.ok(report.partitions.total > 2, json.stdout)

  assert.is((await fetch(`http://${metrics}/health`)).status, 200)
  assert.is((await fetch(`http://${metrics}/ready`)).status, 200)
  const text = await (await fetch(`http://${metrics}/metrics`)).text()
  const ends = [...text.matchAll(/^weir_log_end_offset\{[^}]*topic="orders"[^}]*\} (\d+)$/gm)].map((match) =>
    Number(match[1]),
  )
  assert.is(ends.length, 2, text.slice(0, 2000))
  assert.is(ends[0]! + ends[1]!, 3, 'the three records produced')
})

test('a bad --metrics-listen is a usage error naming the flag', async () => {
  const result = await run([
    'broker',
    '--metrics-listen',
    'everywhere',
    '--data-dir',
    join(tmpdir(), 'weir-never-created'),
  ])
  assert.is(result.code, 2)
  assert.match(result.stderr, /--metrics-listen must be HOST:PORT .* or off/)
})

test('a cluster with a broker killed: health exits 1 naming it and the under-replicated partitions', async () => {
  const cluster = await startCluster(3)
  const client = new Client({ brokers: cluster.bootstrap, clientId: 'health-cli-test' })
  try {
    await waitFor('topic created', 30_000, async () => {
      await client.admin().createTopic({ topic: 'replicated', partitions: 3, replicationFactor: 3 })
      return true
    })
    const bootstrap = cluster.bootstrap[0]!
    // Every replica joins its ISR shortly after the cluster starts.
    await waitFor('a healthy cluster', 60_000, async () => {
      const health = await run(['cluster', 'health', '--bootstrap', bootstrap])
      return health.code === 0 ? true : undefined
    })
    await cluster.kill(3)
    // Down after 3 s without heartbeats; out of the ISR after replicaLagTimeMs (10 s by default).
    const unhealthy = await waitFor(
      'health to report broker 3 down and partitions under-replicated',
      90_000,
      async () => {
        const health = await run(['cluster', 'health', '--bootstrap', bootstrap])
        const complete =
          /broker 3 \(127\.0\.0\.1:\d+\) is down/.test(health.stdout) &&
          /replicated\/\d is under-replicated/.test(health.stdout)
        return complete ? health : undefined
      },
    )
    assert.is(unhealthy.code, 1)
    assert.match(unhealthy.stdout, /^UNHEALTHY: controller broker \d; 2 of 3 brokers alive/)
    const json = await run(['cluster', 'health', '--json', '--bootstrap', bootstrap])
    assert.is(json.code, 1)
    const report = JSON.parse(json.stdout) as { healthy: boolean; brokers: { notAlive: { id: number }[] } }
    assert.is(report.healthy, false)
    assert.equal(
      report.brokers.notAlive.map((broker) => broker.id),
      [3],
    )
  } finally {
    await client.close()
    await cluster.close()
  }
})

test.run()
