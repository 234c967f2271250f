// Proves the cluster's pure pieces: replica placement, the metadata image, Raft entries as record
// batches (control batches for no-ops and membership), the shape check of peers' Raft messages,
// the --peers list and the hard-state file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeRecordBatch, isControlBatch, isWeirError, patchBatch } from '@weir/protocol'
import { EntryKind, encodeConfig } from '@weir/raft'
import { nodeFileIo } from '@weir/storage'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assignReplicas, ClusterImage } from '../../src/cluster/cluster-image.js'
import { HardStateFile } from '../../src/cluster/hard-state-file.js'
import { checkPeers, parsePeers } from '../../src/cluster/peers.js'
import { batchOfEntry, entryOfBatch, logStartBatch, logStartOf } from '../../src/cluster/raft-batches.js'
import { checkRaftMessage } from '../../src/cluster/raft-message-check.js'
import { resolveOptions } from '../../src/options.js'

const directories: string[] = []
test.after(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

test('replicas are distinct brokers and preferred leaders rotate evenly', () => {
  const sets = assignReplicas([3, 1, 2], 0, 6, 3)
  for (const set of sets) assert.is(new Set(set).size, 3)
  const leaders = sets.map((set) => set[0])
  assert.equal(leaders, [1, 2, 3, 1, 2, 3])
  assert.equal(assignReplicas([1, 2, 3], 3, 2, 1), [[1], [2]], 'new partitions continue the rotation')
})

test('the image applies records in order; a duplicate creation changes nothing', () => {
  const image = new ClusterImage()
  image.apply({ type: 'topicCreated', name: 'a', id: 'one', config: {}, replicas: [[1, 2]] })
  assert.is(
    image.apply({ type: 'topicCreated', name: 'a', id: 'two', config: { fsync: 'never' }, replicas: [[3]] }),
    undefined,
  )
  image.apply({ type: 'partitionsCreated', name: 'a', replicas: [[2, 1]] })
  assert.equal(image.topic('a')?.replicas, [
    [1, 2],
    [2, 1],
  ])
  image.apply({ type: 'topicDeleted', name: 'a' })
  assert.is(image.topic('a'), undefined)
})

test('no-op and config entries become control batches and come back as the same entries', () => {
  for (const [kind, data] of [
    [EntryKind.noop, new Uint8Array(0)],
    [EntryKind.config, encodeConfig({ voters: [1, 2, 3] })],
  ] as const) {
    const stored = batchOfEntry({ index: 7, term: 4, span: 1, kind, data })
    assert.ok(isControlBatch(stored))
    patchBatch(stored, 0, 7, 4)
    const back = entryOfBatch(stored)
    assert.equal(
      { ...back, data: Buffer.from(back.data) },
      { index: 7, term: 4, span: 1, kind, data: Buffer.from(data) },
    )
    assert.ok(
      batchOfEntry({ index: 9, term: 4, span: 1, kind, data }).equals(
        batchOfEntry({ index: 9, term: 4, span: 1, kind, data }),
      ),
      'byte-identical on every replica',
    )
  }
  const client = encodeRecordBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b') }], {
    timestamp: 1,
  })
  patchBatch(client, 0, 10, 2)
  const entry = entryOfBatch(client)
  assert.equal([entry.index, entry.term, entry.span, entry.kind], [10, 2, 2, EntryKind.normal])
  assert.ok(batchOfEntry(entry) === entry.data, 'a normal entry is stored verbatim')
})

test('a log-start marker is a normal entry to the core, stored verbatim, and carries its offset', () => {
  const marker = logStartBatch(123_456)
  assert.ok(isControlBatch(marker), 'consumers and the group coordinator skip it')
  patchBatch(marker, 0, 40, 3)
  const entry = entryOfBatch(marker)
  assert.equal([entry.index, entry.term, entry.span, entry.kind], [40, 3, 1, EntryKind.normal])
  assert.ok(batchOfEntry(entry) === entry.data, 'stored verbatim')
  assert.is(logStartOf(marker), 123_456)
  assert.ok(logStartBatch(7).equals(logStartBatch(7)), 'byte-identical on every replica')
  const client = encodeRecordBatch([{ key: Buffer.from('log-start'), value: Buffer.alloc(8) }], {
    timestamp: 1,
  })
  assert.is(logStartOf(client), undefined, 'a client batch is never a marker')
  const noop = batchOfEntry({ index: 0, term: 1, span: 1, kind: EntryKind.noop, data: new Uint8Array(0) })
  assert.is(logStartOf(noop), undefined)
})

test('peer Raft messages are checked field by field', () => {
  const append = {
    type: 'append',
    from: 1,
    to: 2,
    term: 3,
    prevIndex: -1,
    prevTerm: 0,
    commit: -1,
    entries: [{ index: 0, term: 3, span: 1, kind: 'noop', data: Buffer.alloc(0) }],
  }
  assert.is(checkRaftMessage(structuredClone(append)).type, 'append')
  const bad = (message: object) => {
    try {
      checkRaftMessage(message as Record<string, unknown>)
      return false
    } catch (error) {
      return isWeirError(error, 'INVALID_REQUEST')
    }
  }
  assert.ok(bad({ ...append, type: 'gossip' }))
  assert.ok(bad({ ...append, term: 'x' }))
  assert.ok(
    bad({ ...append, entries: [{ index: 0, term: 1, span: 0, kind: 'noop', data: Buffer.alloc(0) }] }),
  )
  assert.ok(bad({ ...append, entries: [{ index: 0, term: 1, span: 1, kind: 'noop', data: 'text' }] }))
  assert.ok(bad({ type: 'vote', from: 1, to: 2, term: 1, lastIndex: 0, lastTerm: 0 }), 'transfer is required')
  assert.ok(
    bad({
      type: 'snapshot',
      from: 1,
      to: 2,
      term: 1,
      snapshot: { index: 1, term: 1, firstIndex: 0, termRuns: [], config: { voters: [0] } },
    }),
  )
  const heartbeatResponse = { type: 'heartbeatResponse', from: 2, to: 1, term: 3, lastIndex: -1 }
  assert.equal(
    checkRaftMessage(heartbeatResponse),
    heartbeatResponse,
    'a wiped follower says its log is empty',
  )
  assert.ok(bad({ ...heartbeatResponse, lastIndex: 'x' }))
  const fromEarlierRelease = checkRaftMessage({ type: 'heartbeatResponse', from: 2, to: 1, term: 3 })
  assert.is((fromEarlierRelease as { lastIndex: number }).lastIndex, Number.MAX_SAFE_INTEGER)
})

test('--peers: id@host:port[/peerPort] list including this broker, on its own port', () => {
  // The peer port defaults to the client port + 1.
  assert.equal(parsePeers('1@127.0.0.1:7171, 2@127.0.0.1:7173/7180,3@10.0.0.3:7171'), [
    { id: 1, host: '127.0.0.1', port: 7171, peerPort: 7172 },
    { id: 2, host: '127.0.0.1', port: 7173, peerPort: 7180 },
    { id: 3, host: '10.0.0.3', port: 7171, peerPort: 7172 },
  ])
  const invalid = (run: () => unknown, pattern: RegExp) =>
    assert.throws(run, (error: Error) => isWeirError(error, 'INVALID_CONFIG') && pattern.test(error.message))
  invalid(() => parsePeers('1@127.0.0.1:7171,1@127.0.0.1:7181'), /listed twice/)
  invalid(() => parsePeers('one@127.0.0.1:7171'), /id@host:port/)
  invalid(() => parsePeers('1@127.0.0.1:0'), /fixed port/)
  invalid(() => parsePeers('1@127.0.0.1:65535'), /fixed peerPort from 1 to 65535/)
  // A default peer port on another broker's client port: both are named.
  invalid(
    () => parsePeers('1@127.0.0.1:7171,2@127.0.0.1:7172'),
    /127\.0\.0\.1:7172 is both broker 1's peer port and broker 2's client port/,
  )
  invalid(() => parsePeers('1@127.0.0.1:7171/7171'), /broker 1's client port and broker 1's peer port/)
  invalid(
    () =>
      checkPeers([
        { id: 1, host: 'a', port: 7171 },
        { id: 2, host: 'a', port: 7300, peerPort: 7171 },
      ]),
    /a:7171 is both broker 1's client port and broker 2's peer port/,
  )
  invalid(
    () => resolveOptions({ dataDir: '/tmp/x', brokerId: 3, peers: '1@127.0.0.1:7171' }),
    /must include this broker's id 3/,
  )
  invalid(
    () =>
      resolveOptions({ dataDir: '/tmp/x', brokerId: 1, listen: '127.0.0.1:7000', peers: '1@127.0.0.1:7171' }),
    /listens on 7000/,
  )
  invalid(
    () => resolveOptions({ dataDir: '/tmp/x', raft: { electionTicks: 2, heartbeatTicks: 2 } }),
    /below raft.electionTicks/,
  )
  invalid(
    () => resolveOptions({ dataDir: '/tmp/x', raft: { maxReplicaLagMs: 10 } }),
    /raft.maxReplicaLagMs must be an integer from 100 to 600000/,
  )
  invalid(
    () => resolveOptions({ dataDir: '/tmp/x', raft: { lagMs: 1000 } as never }),
    /known: .*maxReplicaLagMs/,
  )
  assert.is(resolveOptions({ dataDir: '/tmp/x' }).raft.maxReplicaLagMs, 10_000)
})

test('a cluster needs peer security; the peer listener defaults to the listen host on the peer port', () => {
  const invalid = (run: () => unknown, pattern: RegExp) =>
    assert.throws(run, (error: Error) => isWeirError(error, 'INVALID_CONFIG') && pattern.test(error.message))
  const cluster = {
    dataDir: '/tmp/x',
    brokerId: 1,
    listen: '127.0.0.1:7171',
    peers: '1@127.0.0.1:7171,2@127.0.0.1:7173',
  }
  invalid(() => resolveOptions(cluster), /--peer-tls-cert.*openssl rand -hex 32 > cluster.secret/)
  invalid(() => resolveOptions({ ...cluster, clusterSecret: 'short' }), /at least 32 bytes/)
  invalid(() => resolveOptions({ ...cluster, peerTls: { cert: 'x', key: 'y' } }), /missing --peer-tls-ca/)
  const secret = 'k'.repeat(32)
  assert.equal(resolveOptions({ ...cluster, clusterSecret: secret }).peerListen, {
    host: '127.0.0.1',
    port: 7172,
  })
  assert.equal(resolveOptions({ ...cluster, clusterSecretFile: 'cluster.secret' }).peerListen?.port, 7172)
  assert.equal(resolveOptions({ ...cluster, clusterSecret: secret, peerListen: '0.0.0.0:7172' }).peerListen, {
    host: '0.0.0.0',
    port: 7172,
  })
  invalid(
    () => resolveOptions({ ...cluster, clusterSecret: secret, peerListen: '127.0.0.1:9000' }),
    /make them agree/,
  )
  // A broker alone needs neither and opens no peer port.
  invalid(
    () => resolveOptions({ dataDir: '/tmp/x', peerListen: '127.0.0.1:7172' }),
    /a broker alone opens no peer port/,
  )
  assert.is(resolveOptions({ dataDir: '/tmp/x' }).peerListen, undefined)
  assert.is(
    resolveOptions({ dataDir: '/tmp/x', listen: '127.0.0.1:7171', peers: '1@127.0.0.1:7171' }).peerListen,
    undefined,
  )
})

test('hard state: new replicas start at zero; term and vote are written at once; a bad file is LOG_CORRUPTED', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'weir-hard-state-'))
  directories.push(directory)
  const file = await HardStateFile.open(nodeFileIo, directory)
  assert.equal(file.state, { term: 0, vote: 0, commit: -1 })
  await file.save({ term: 2, vote: 1, commit: -1 }, 1000)
  assert.equal((await HardStateFile.open(nodeFileIo, directory)).state, { term: 2, vote: 1, commit: -1 })
  await file.save({ term: 2, vote: 1, commit: 5 }, 1001)
  assert.is((await HardStateFile.open(nodeFileIo, directory)).state.commit, -1, 'a commit-only change waits')
  await file.save({ term: 2, vote: 1, commit: 9 }, 2500)
  assert.is(
    (await HardStateFile.open(nodeFileIo, directory)).state.commit,
    9,
    'then is written within a second',
  )
  // JSON null once threw a TypeError (destructuring null) instead of the typed error.
  for (const text of ['{"term":-1}', 'null', '7', '{"term":1e400,"vote":0,"commit":0}']) {
    writeFileSync(join(directory, 'raft-state.json'), text)
    try {
      await HardStateFile.open(nodeFileIo, directory)
      assert.unreachable('a corrupt hard state must not load')
    } catch (error) {
      assert.ok(isWeirError(error, 'LOG_CORRUPTED'), `${text}: ${String(error)}`)
    }
  }
})

test.run()
