// Proves start-up options, limits and weir.json are checked before anything opens, with INVALID_CONFIG naming the key.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveGroupLimits } from '../src/groups/group-limits.js'
import {
  Broker,
  defaultLimits,
  parseListen,
  readConfigFile,
  resolveLimits,
  toLogConfig,
} from '../src/index.js'
import { configFileKeys, resolveOptions } from '../src/options.js'
import { removeTempDirectories, tempDirectory } from './support/broker.js'

test.after(() => removeTempDirectories())

async function startFails(options: Parameters<typeof Broker.start>[0], pattern: RegExp): Promise<void> {
  try {
    const broker = await Broker.start({ logLevel: 'silent', ...options })
    await broker.close()
    assert.unreachable('should have failed')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
    assert.match((error as Error).message, pattern)
  }
}

test('limits: defaults, overrides, and each bad value named with its range', () => {
  assert.equal(resolveLimits(undefined), defaultLimits)
  assert.is(resolveLimits({ maxConnections: 5 }).maxConnections, 5)
  assert.throws(
    () => resolveLimits({ maxFrameBytes: 10 }),
    /limits\.maxFrameBytes must be an integer from 1024/,
  )
  assert.throws(() => resolveLimits({ idleTimeoutMs: '1s' }), /limits\.idleTimeoutMs .* got "1s"/)
  assert.throws(
    () => resolveLimits({ connectionLimit: 5 }),
    /limits\.connectionLimit is not a limit; known: /,
  )
})

test('resource bounds: the defaults of issue 12, and pairs that only work one way round refused', () => {
  const mebibyte = 1024 * 1024
  const limits = resolveLimits(undefined)
  assert.equal(
    [limits.queuedMaxRequestBytes, limits.fetchMaxBytes, limits.maxConnectionsPerIp, limits.maxTopics],
    [100 * mebibyte, 55 * mebibyte, 1000, 10_000],
  )
  assert.throws(
    () => resolveLimits({ maxFrameBytes: 200 * mebibyte }),
    /limits\.queuedMaxRequestBytes \(104857600\) must be at least limits\.maxFrameBytes \(209715200\)/,
  )
  assert.throws(
    () => resolveLimits({ writeBufferBytesHigh: 128 * mebibyte }),
    /limits\.maxWriteBufferBytes .* must be at least limits\.writeBufferBytesHigh/,
  )
  assert.throws(
    () => resolveLimits({ maxConnectionsPerIp: 0 }),
    /maxConnectionsPerIp must be an integer from 1/,
  )
})

test('deprecated option names: the old name alone still sets the option, the new one wins when both are given', () => {
  const old = resolveLimits({
    frameBytesMax: 4096,
    connectionsMax: 5,
    inFlightRequestsMax: 6,
    fetchWaitMsMax: 7,
  })
  assert.equal(
    [old.maxFrameBytes, old.maxConnections, old.maxInFlightRequests, old.maxFetchWaitMs],
    [4096, 5, 6, 7],
  )
  assert.not.ok('connectionsMax' in old, 'the resolved limits carry only the new names')
  assert.is(resolveLimits({ connectionsMax: 5, maxConnections: 9 }).maxConnections, 9)
  // The loser is not checked: the value in force is the new name's.
  assert.is(resolveLimits({ connectionsMax: -1, maxConnections: 9 }).maxConnections, 9)
  assert.throws(() => resolveLimits({ connectionsMax: -1 }), /limits\.connectionsMax must be an integer/)
  const groups = resolveGroupLimits({ sessionTimeoutMsMin: 10, sessionTimeoutMsMax: 20, groupsMax: 3 })
  assert.equal([groups.minSessionTimeoutMs, groups.maxSessionTimeoutMs, groups.maxGroups], [10, 20, 3])
  assert.is(resolveGroupLimits({ groupMembersMax: 3, maxGroupMembers: 4 }).maxGroupMembers, 4)
  assert.is(resolveGroupLimits({ offsetsPerGroupMax: 8 }).maxOffsetsPerGroup, 8)
  const raft = resolveOptions({ dataDir: '/tmp/x', raft: { replicaLagMaxMs: 2000 } }).raft
  assert.is(raft.maxReplicaLagMs, 2000)
  const both = resolveOptions({ dataDir: '/tmp/x', raft: { replicaLagMaxMs: 2000, maxReplicaLagMs: 3000 } })
  assert.is(both.raft.maxReplicaLagMs, 3000)
})

test('replicaLagTimeMs is the public name of the in-sync window: it overrides raft.maxReplicaLagMs, range checked', () => {
  assert.is(resolveOptions({ dataDir: '/tmp/x', replicaLagTimeMs: 1500 }).raft.maxReplicaLagMs, 1500)
  const both = resolveOptions({ dataDir: '/tmp/x', replicaLagTimeMs: 1500, raft: { maxReplicaLagMs: 3000 } })
  assert.is(both.raft.maxReplicaLagMs, 1500)
  assert.is(resolveOptions({ dataDir: '/tmp/x' }).raft.maxReplicaLagMs, 10_000)
  assert.throws(
    () => resolveOptions({ dataDir: '/tmp/x', replicaLagTimeMs: 50 }),
    /replicaLagTimeMs must be an integer from 100 to 600000, got 50/,
  )
  assert.ok((configFileKeys as readonly string[]).includes('replicaLagTimeMs'), 'a weir.json key')
})

test('raft, groups and group limits go through the same typed check: unknown keys and ranges named', async () => {
  const dataDir = tempDirectory()
  await startFails({ dataDir, raft: { tickMs: 0 } }, /raft\.tickMs must be an integer from 1 to 10000, got 0/)
  await startFails(
    { dataDir, raft: { ticks: 1 } as never },
    /raft\.ticks is not a Raft option; known: tickMs/,
  )
  await startFails({ dataDir, raft: { heartbeatTicks: 20 } }, /heartbeatTicks must be below/)
  await startFails(
    { dataDir, groups: { offsetsPartitions: 0 } },
    /groups\.offsetsPartitions must be an integer/,
  )
  await startFails(
    { dataDir, groups: { partitions: 1 } as never },
    /groups\.partitions is not a group option; .*limits/,
  )
  await startFails({ dataDir, groups: 3 as never }, /groups must be an object of offsetsPartitions/)
  await startFails(
    { dataDir, groups: { limits: { maxGroups: 0 } } },
    /groups\.limits\.maxGroups must be an integer from 1/,
  )
  await startFails(
    { dataDir, groups: { limits: { groupLimit: 5 } as never } },
    /groups\.limits\.groupLimit is not a group limit/,
  )
})

test('listen addresses', () => {
  assert.equal(parseListen('127.0.0.1:7171'), { host: '127.0.0.1', port: 7171 })
  assert.equal(parseListen('[::1]:0'), { host: '::1', port: 0 })
  assert.throws(() => parseListen('localhost'), /listen must be host:port/)
  assert.throws(() => parseListen('localhost:70000'), /listen must be host:port/)
})

test('Broker.start refuses bad options before opening anything', async () => {
  const dataDir = tempDirectory()
  await startFails({ dataDir, limits: { maxInFlightRequests: 0 } }, /maxInFlightRequests/)
  await startFails({ dataDir, listen: 'nowhere' }, /listen/)
  await startFails({ dataDir, brokerId: -1 }, /brokerId/)
  await startFails({ dataDir, logLevel: 'loud' as 'info' }, /logLevel must be one of/)
  await startFails({ dataDir, topicDefaults: { segmentBytes: 1 } }, /topicDefaults: segmentBytes/)
  // The key the user wrote (not storage's maxBatchBytes), the advice once, a bigint named.
  await startFails(
    { dataDir, topicDefaults: { maxMessageBytes: 1e20 } },
    /^topicDefaults: maxMessageBytes must be an integer from 61 to \d+, got 100000000000000000000\. A configuration value is invalid; the message names the field and the allowed range\.$/,
  )
  await startFails(
    { dataDir, brokerId: (2n ** 70n) as never },
    /brokerId must be an integer from 1 to 2147483647, got 1180591620717411303424/,
  )
  await startFails(
    { dataDir, topicDefaults: { retention: 1 } as never },
    /topicDefaults\.retention is not a topic config/,
  )
})

test('weir.json: known keys pass, unknown keys and wrong types are named, dataDir is relative to the file', async () => {
  const directory = tempDirectory()
  const path = join(directory, 'weir.json')
  writeFileSync(
    path,
    JSON.stringify({
      dataDir: 'data',
      listen: '127.0.0.1:0',
      limits: { maxConnections: 3, fetchWaitMsMax: 5 },
    }),
  )
  const config = await readConfigFile(path)
  assert.is(config.dataDir, join(directory, 'data'))
  assert.equal(config.limits, { maxConnections: 3, fetchWaitMsMax: 5 }, 'a deprecated name is a known key')
  assert.is(resolveOptions({ dataDir: 'data', ...config }).limits.maxFetchWaitMs, 5)
  const cases: [unknown, RegExp][] = [
    [{ dataDirectory: 'x' }, /unknown key "dataDirectory"/],
    [{ listen: 7171 }, /listen must be a string/],
    [{ brokerId: '1' }, /brokerId must be an integer/],
    [{ limits: { maxConnections: -1 } }, /limits\.maxConnections/],
    [{ limits: { connectionsMax: -1 } }, /limits\.connectionsMax/],
    [{ topicDefaults: { fsync: 'sometimes' } }, /topicDefaults\.fsync/],
    [[1, 2], /must hold a JSON object/],
  ]
  for (const [content, pattern] of cases) {
    writeFileSync(path, JSON.stringify(content))
    try {
      await readConfigFile(path)
      assert.unreachable(`accepted ${JSON.stringify(content)}`)
    } catch (error) {
      assert.match((error as Error).message, pattern)
    }
  }
  writeFileSync(path, '{ not json')
  try {
    await readConfigFile(path)
    assert.unreachable()
  } catch (error) {
    assert.match((error as Error).message, /is not valid JSON/)
  }
})

test('weir.json: peers as a list with peer ports, peerListen, and a secret file relative to the file', async () => {
  const directory = tempDirectory()
  const path = join(directory, 'weir.json')
  const peers = [
    { id: 1, host: '127.0.0.1', port: 7171, peerPort: 7181 },
    { id: 2, host: '127.0.0.1', port: 7172 },
  ]
  writeFileSync(
    path,
    JSON.stringify({
      listen: '127.0.0.1:7171',
      peers,
      peerListen: '0.0.0.0:7181',
      clusterSecretFile: 'cluster.secret',
    }),
  )
  const config = await readConfigFile(path)
  assert.is(config.clusterSecretFile, join(directory, 'cluster.secret'))
  const resolved = resolveOptions({ dataDir: 'data', ...config })
  assert.equal(resolved.peerListen, { host: '0.0.0.0', port: 7181 })
  assert.equal(
    resolved.peers?.map((peer) => peer.peerPort),
    [7181, 7173],
    'a missing peerPort is the client port + 1',
  )
  const cases: [unknown, RegExp][] = [
    [{ peerListen: 7181 }, /peerListen must be a string/],
    [{ peerListen: 'nowhere' }, /peerListen must be host:port/],
    [{ clusterSecretFile: 3 }, /clusterSecretFile must be a string/],
    [{ peers: [{ id: 1, host: 'a', port: 7171, peerPort: 70_000 }] }, /peerPort from 1 to 65535/],
    [{ peerTls: { cert: 'x' } }, /unknown key "peerTls"/],
  ]
  for (const [content, pattern] of cases) {
    writeFileSync(path, JSON.stringify(content))
    try {
      await readConfigFile(path)
      assert.unreachable(`accepted ${JSON.stringify(content)}`)
    } catch (error) {
      assert.match((error as Error).message, pattern)
    }
  }
})

test('a cluster broker reads its secret file at start: a missing or short file is refused before binding', async () => {
  const directory = tempDirectory()
  const cluster = {
    dataDir: join(directory, 'data'),
    listen: '127.0.0.1:1',
    peers: '1@127.0.0.1:1,2@127.0.0.1:3',
  }
  await startFails(
    { ...cluster, clusterSecretFile: join(directory, 'missing.secret') },
    /cannot read the cluster secret file/,
  )
  writeFileSync(join(directory, 'short.secret'), 'abc\n')
  await startFails(
    { ...cluster, clusterSecretFile: join(directory, 'short.secret') },
    /must hold at least 32 bytes/,
  )
})

test('weir.json: peerTlsFiles names the peer certificate, key and CA, relative to the file', async () => {
  const directory = tempDirectory()
  const path = join(directory, 'weir.json')
  const files = { certFile: 'tls/broker.pem', keyFile: 'tls/broker.key', caFile: '/etc/weir/ca.pem' }
  writeFileSync(path, JSON.stringify({ peerTlsFiles: files }))
  const config = await readConfigFile(path)
  assert.equal(config.peerTlsFiles, {
    certFile: join(directory, 'tls/broker.pem'),
    keyFile: join(directory, 'tls/broker.key'),
    caFile: '/etc/weir/ca.pem',
  })
  for (const content of [{ peerTlsFiles: { certFile: 'a', keyFile: 'b' } }, { peerTlsFiles: 'a.pem' }]) {
    writeFileSync(path, JSON.stringify(content))
    const error = await readConfigFile(path).then(
      () => undefined,
      (failure: unknown) => failure,
    )
    assert.match(String(error), /peerTlsFiles must be \{ "certFile"/)
  }
  await startFails(
    {
      dataDir: join(directory, 'data'),
      listen: '127.0.0.1:1',
      peers: '1@127.0.0.1:1,2@127.0.0.1:3',
      peerTlsFiles: { ...files, certFile: join(directory, 'missing.pem') },
    },
    /peerTlsFiles.certFile: cannot read/,
  )
})

test("topicDefaults (weir.json) take Kafka's dotted names and the cleanup policy", () => {
  const options = resolveOptions({
    dataDir: '/tmp/x',
    topicDefaults: {
      'cleanup.policy': 'compact',
      'delete.retention.ms': 5000,
      'segment.bytes': 4096,
    } as never,
  })
  assert.equal(options.topicDefaults, {
    cleanupPolicy: 'compact',
    deleteRetentionMs: 5000,
    segmentBytes: 4096,
  })
  assert.throws(
    () => resolveOptions({ dataDir: '/tmp/x', topicDefaults: { cleanupPolicy: 'shred' } as never }),
    /topicDefaults\.cleanupPolicy must be one of 'delete', 'compact', 'compact,delete'/,
  )
})

test('topic config maps maxMessageBytes onto the log maxBatchBytes', () => {
  assert.equal(toLogConfig({ maxMessageBytes: 1000, retentionMs: 5 }), {
    retentionMs: 5,
    maxBatchBytes: 1000,
  })
})

test.run()
