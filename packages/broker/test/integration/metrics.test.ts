// Proves the metrics listener over real HTTP: /metrics in the Prometheus text format with real
// figures (log end offset = records produced, lag = end offset - committed, request counters and
// fsync histogram moved), /health and /ready status codes, and that a busy explicit address fails the start.
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { OffsetCommit } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Broker } from '../../src/index.js'
import { parseExposition, sampleOf } from '../metrics/exposition.js'
import {
  batchOf,
  createTopic,
  freePort,
  produce,
  recordsFor,
  removeTempDirectories,
  startBroker,
  tempDirectory,
} from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

test.after(() => removeTempDirectories())

function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

test('scrapes offsets, sizes, lag, requests, fsyncs, Raft and readiness of a broker alone', async () => {
  const broker = await startBroker({ metricsListen: '127.0.0.1:0', topicDefaults: { fsync: 'always' } })
  const port = broker.metricsAddress!.port
  assert.ok(port > 0)
  const client = await WireClient.connect(broker.address.port)
  try {
    await createTopic(client, 'orders', 2)
    for (let round = 0; round < 3; round++) {
      const result = await produce(client, 'orders', 1, batchOf(recordsFor(`r${round}`, 4)))
      assert.is(result.errorCode, 0)
    }
    const commit = await client.call(OffsetCommit, {
      groupId: 'billing',
      generationId: -1,
      memberId: '',
      topics: [{ name: 'orders', partitions: [{ partition: 1, offset: 5 }] }],
    })
    assert.is(commit.topics[0]!.partitions[0]!.errorCode, 0)

    const health = await get(port, '/health')
    assert.is(health.status, 200)
    const ready = await get(port, '/ready')
    assert.is(ready.status, 200, ready.body)
    assert.equal(JSON.parse(ready.body), { status: 'ready' })

    const scraped = await get(port, '/metrics')
    assert.is(scraped.status, 200)
    assert.match(scraped.type, /^text\/plain; version=0\.0\.4/)
    const metrics = parseExposition(scraped.body)
    const p1 = { topic: 'orders', partition: '1', broker: '1' }
    assert.is(metrics.types.get('weir_log_end_offset'), 'gauge')
    assert.is(sampleOf(metrics, 'weir_log_end_offset', p1), 12, 'three batches of 4 records')
    assert.is(sampleOf(metrics, 'weir_log_high_watermark', p1), 12)
    assert.is(sampleOf(metrics, 'weir_log_start_offset', p1), 0)
    assert.is(sampleOf(metrics, 'weir_log_end_offset', { topic: 'orders', partition: '0' }), 0)
    assert.ok(sampleOf(metrics, 'weir_log_size_bytes', p1) > 12 * 4, 'the segment holds the records')
    const lagLabels = { group: 'billing', topic: 'orders', partition: '1' }
    assert.is(sampleOf(metrics, 'weir_group_committed_offset', lagLabels), 5)
    assert.is(sampleOf(metrics, 'weir_group_lag', lagLabels), 12 - 5)

    assert.is(metrics.types.get('weir_requests_total'), 'counter')
    assert.is(sampleOf(metrics, 'weir_requests_total', { api: 'Produce', listener: 'client' }), 3)
    assert.is(sampleOf(metrics, 'weir_requests_total', { api: 'OffsetCommit', listener: 'client' }), 1)
    assert.is(metrics.types.get('weir_request_duration_seconds'), 'histogram')
    assert.is(sampleOf(metrics, 'weir_request_duration_seconds_count', { api: 'Produce' }), 3)
    assert.is(sampleOf(metrics, 'weir_request_duration_seconds_bucket', { api: 'Produce', le: '+Inf' }), 3)
    assert.ok(sampleOf(metrics, 'weir_network_received_bytes_total', { listener: 'client' }) > 3 * 4 * 4)
    assert.ok(sampleOf(metrics, 'weir_network_sent_bytes_total', { listener: 'client' }) > 0)
    assert.is(metrics.types.get('weir_log_fsync_duration_seconds'), 'histogram')
    assert.ok(
      sampleOf(metrics, 'weir_log_fsync_duration_seconds_count') >= 3,
      'fsync always: one per produce at least',
    )

    assert.is(sampleOf(metrics, 'weir_raft_role', { ...p1, role: 'leader' }), 1)
    assert.is(sampleOf(metrics, 'weir_raft_role', { ...p1, role: 'follower' }), 0)
    assert.ok(sampleOf(metrics, 'weir_raft_term', p1) >= 1)
    assert.ok(sampleOf(metrics, 'weir_raft_commit_index', p1) >= 0)
    assert.is(sampleOf(metrics, 'weir_partition_replicas', p1), 1)
    assert.is(sampleOf(metrics, 'weir_partition_in_sync_replicas', p1), 1)
    assert.is(sampleOf(metrics, 'weir_under_replicated_partitions'), 0)
    assert.is(sampleOf(metrics, 'weir_connections'), 1)
    assert.is(sampleOf(metrics, 'weir_ready'), 1)
    assert.is(sampleOf(metrics, 'weir_controller_id'), 1)
    assert.ok(sampleOf(metrics, 'weir_process_resident_memory_bytes') > 0)
    assert.ok(
      metrics.samples.every((sample) => sample.labels.broker === '1'),
      'every sample names its broker',
    )

    assert.is((await get(port, '/nope')).status, 404)
    documentedAndCharted(metrics.types)
  } finally {
    await client.close()
    await broker.close()
  }
  const afterClose = await get(port, '/health').then(
    () => 'answered',
    () => 'refused',
  )
  assert.is(afterClose, 'refused', 'the metrics listener closes with the broker')
})

const docs = (path: string) => readFileSync(new URL(`../../../../docs/${path}`, import.meta.url), 'utf8')

/** docs/metrics.md lists every weir_ family scraped, and the Grafana dashboard charts only families that exist. */
function documentedAndCharted(types: ReadonlyMap<string, string>): void {
  const table = docs('metrics.md')
  const own = [...types.keys()].filter((name) => !/^weir_(process|nodejs)_/.test(name))
  assert.ok(own.length >= 20, own.join(' '))
  for (const name of own)
    assert.match(table, new RegExp(`^\\| \`${name}\` +\\|`, 'm'), `docs/metrics.md lacks a row for ${name}`)
  const dashboard = docs('grafana/weir-dashboard.json')
  for (const [used] of dashboard.matchAll(/weir_[a-z0-9_]+/g)) {
    const family = used.replace(/_(bucket|sum|count)$/, '')
    assert.ok(types.has(family), `the dashboard charts ${used}, which the broker does not export`)
  }
}

test('/ready is 503 with the reasons while the broker is not ready', async () => {
  // A broker of a 3-broker cluster whose peers never start: no controller can be elected.
  const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()))
  const peers = [1, 2, 3].map((id) => `${id}@127.0.0.1:${ports[2 * id - 2]}/${ports[2 * id - 1]}`).join(',')
  const broker = await startBroker({
    metricsListen: '127.0.0.1:0',
    listen: `127.0.0.1:${ports[0]}`,
    peers,
    clusterSecret: Buffer.alloc(32, 7),
  })
  try {
    const port = broker.metricsAddress!.port
    assert.is((await get(port, '/health')).status, 200)
    const ready = await get(port, '/ready')
    assert.is(ready.status, 503)
    const body = JSON.parse(ready.body) as { status: string; reasons: string[] }
    assert.is(body.status, 'not ready')
    assert.ok(
      body.reasons.some((reason) => /no controller is elected/.test(reason)),
      ready.body,
    )
    const metrics = parseExposition((await get(port, '/metrics')).body)
    assert.is(sampleOf(metrics, 'weir_ready'), 0)
  } finally {
    await broker.close()
  }
})

test('an explicit metrics address that is taken fails the start with INVALID_CONFIG', async () => {
  const first = await startBroker({ metricsListen: '127.0.0.1:0' })
  try {
    const taken = `127.0.0.1:${first.metricsAddress!.port}`
    const error = await Broker.start({
      dataDir: tempDirectory(),
      listen: '127.0.0.1:0',
      logLevel: 'silent',
      metricsListen: taken,
    }).then(
      () => undefined,
      (reason: unknown) => reason as { code?: string; message: string },
    )
    assert.is(error?.code, 'INVALID_CONFIG')
    assert.match(error!.message, /is in use; give another --metrics-listen/)
  } finally {
    await first.close()
  }
})

test.run()
