// Proves the weir CLI works end to end as a user runs it: a broker child process, then topics create/describe/list/add-partitions/delete, produce from stdin by key, consume as JSON, and clear failures with exit codes (a cluster without peer authentication included).
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { attributeCompressionMask, BatchField, Compression, partitionForKey } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killChildren, run, startBrokerChild } from './cli-support.js'

let dataDir = ''
let broker: { child: ChildProcess; bootstrap: string }

test.before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'weir-cli-'))
  broker = await startBrokerChild(dataDir)
})

test.after(async () => {
  killChildren()
  await rm(dataDir, { recursive: true, force: true })
})

test('topics create, describe and list', async () => {
  const created = await run([
    'topics',
    'create',
    'orders',
    '--partitions',
    '4',
    '--config',
    'retentionMs=3600000',
    '--bootstrap',
    broker.bootstrap,
  ])
  assert.is(created.code, 0, created.stderr)
  const again = await run([
    'topics',
    'create',
    'orders',
    '--partitions',
    '4',
    '--bootstrap',
    broker.bootstrap,
  ])
  assert.is(again.code, 1)
  assert.match(again.stderr, /TOPIC_ALREADY_EXISTS/)
  const described = await run(['topics', 'describe', 'orders', '--bootstrap', broker.bootstrap])
  assert.is(described.code, 0, described.stderr)
  assert.match(described.stdout, /retentionMs=3600000/)
  assert.match(described.stdout, /partition\s+leader\s+replicas\s+isr\s+logStartOffset/)
  assert.is(described.stdout.trim().split('\n').length, 3 + 4)
  const listed = await run(['topics', 'list', '--bootstrap', broker.bootstrap])
  assert.equal(listed.stdout.trim().split('\n'), ['orders'])
})

test('produce stdin lines by key, consume them back as JSON in order per key', async () => {
  const lines = Array.from({ length: 60 }, (_, index) => `customer-${index % 5}:order ${index}`)
  const produced = await run(
    ['produce', 'orders', '--key-separator', ':', '--bootstrap', broker.bootstrap],
    `${lines.join('\n')}\n`,
  )
  assert.is(produced.code, 0, produced.stderr)
  assert.match(produced.stderr, /sent 60 message\(s\) to orders/)
  const consumed = await run([
    'consume',
    'orders',
    '--from-beginning',
    '--max-messages',
    '60',
    '--format',
    'json',
    '--bootstrap',
    broker.bootstrap,
  ])
  assert.is(consumed.code, 0, consumed.stderr)
  const messages = consumed.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { key: string; value: string; partition: number; offset: number })
  assert.is(messages.length, 60)
  for (let customer = 0; customer < 5; customer++) {
    const key = `customer-${customer}`
    const mine = messages.filter((message) => message.key === key)
    assert.equal(
      mine.map((message) => message.value),
      lines.filter((line) => line.startsWith(`${key}:`)).map((line) => line.slice(key.length + 1)),
    )
    for (const message of mine) assert.is(message.partition, partitionForKey(key, 4))
  }
})

test('produce --compression zstd stores zstd batches that consume reads back; an unknown codec is a usage error', async () => {
  const created = await run([
    'topics',
    'create',
    'zstd-lines',
    '--partitions',
    '1',
    '--bootstrap',
    broker.bootstrap,
  ])
  assert.is(created.code, 0, created.stderr)
  const lines = Array.from(
    { length: 200 },
    (_, index) => `{"event":"page-view","page":"/products/${index % 9}"}`,
  )
  const produced = await run(
    ['produce', 'zstd-lines', '--compression', 'zstd', '--bootstrap', broker.bootstrap],
    `${lines.join('\n')}\n`,
  )
  assert.is(produced.code, 0, produced.stderr)
  const consumed = await run([
    'consume',
    'zstd-lines',
    '--from-beginning',
    '--max-messages',
    '200',
    '--bootstrap',
    broker.bootstrap,
  ])
  assert.is(consumed.code, 0, consumed.stderr)
  assert.equal(consumed.stdout.trim().split('\n'), lines)
  const segment = await readFile(join(dataDir, 'zstd-lines', '0', '00000000000000000000.log'))
  assert.is(segment.readUInt16BE(BatchField.attributes) & attributeCompressionMask, Compression.zstd)
  const refused = await run(
    ['produce', 'zstd-lines', '--compression', 'brotli', '--bootstrap', broker.bootstrap],
    '',
  )
  assert.is(refused.code, 2)
  assert.match(refused.stderr, /--compression must be one of none, gzip, snappy, lz4, zstd/)
  const deleted = await run(['topics', 'delete', 'zstd-lines', '--bootstrap', broker.bootstrap])
  assert.is(deleted.code, 0, deleted.stderr)
})

test('consume one partition from an offset as text', async () => {
  const partition = partitionForKey('customer-0', 4)
  const consumed = await run([
    'consume',
    'orders',
    '--partition',
    String(partition),
    '--offset',
    '1',
    '--max-messages',
    '2',
    '--bootstrap',
    broker.bootstrap,
  ])
  assert.is(consumed.code, 0, consumed.stderr)
  const values = consumed.stdout.trim().split('\n')
  assert.is(values.length, 2)
})

test('an unreachable broker is exit 1 with a message saying what to check', async () => {
  const result = await run(['topics', 'list', '--bootstrap', '127.0.0.1:1'])
  assert.is(result.code, 1)
  assert.match(result.stderr, /BROKER_UNAVAILABLE.*127\.0\.0\.1:1/)
})

test('a broker with --peers and no peer authentication exits telling how to make a secret', async () => {
  const peers = ['--id', '1', '--listen', '127.0.0.1:1', '--peers', '1@127.0.0.1:1,2@127.0.0.1:3']
  peers.push('--data-dir', join(dataDir, 'peers'))
  const bare = await run(['broker', ...peers])
  assert.is(bare.code, 1)
  assert.match(bare.stderr, /--cluster-secret-file|--peer-tls-cert/)
  assert.match(bare.stderr, /openssl rand -hex 32 > cluster\.secret/)
  const short = join(dataDir, 'short.secret')
  await writeFile(short, 'too short\n')
  const weak = await run(['broker', ...peers, '--cluster-secret-file', short])
  assert.is(weak.code, 1)
  assert.match(weak.stderr, /must hold at least 32 bytes/)
  const partial = await run(['broker', ...peers, '--peer-tls-cert', short])
  assert.match(partial.stderr, /missing --peer-tls-key, --peer-tls-ca/)
})

test('usage errors are exit 2 with one line and where the help is', async () => {
  const missing = await run(['topics', 'create', 'x', '--bootstrap', broker.bootstrap])
  assert.is(missing.code, 2)
  assert.match(missing.stderr, /--partitions/)
  const badFlag = await run(['consume', 'orders', '--nope'])
  assert.is(badFlag.code, 2)
  assert.match(badFlag.stderr, /\nsee weir consume --help\n$/)
})

test('topics add-partitions grows a topic; shrinking and a missing --partitions are refused', async () => {
  const grown = await run([
    'topics',
    'add-partitions',
    'orders',
    '--partitions',
    '6',
    '--bootstrap',
    broker.bootstrap,
  ])
  assert.is(grown.code, 0, grown.stderr)
  assert.match(grown.stdout, /orders now has 6 partition/)
  const described = await run(['topics', 'describe', 'orders', '--bootstrap', broker.bootstrap])
  assert.match(described.stdout, /\n5 /)
  const shrink = await run([
    'topics',
    'add-partitions',
    'orders',
    '--partitions',
    '2',
    '--bootstrap',
    broker.bootstrap,
  ])
  assert.is(shrink.code, 1)
  assert.match(shrink.stderr, /has 6 partition/)
  const missing = await run(['topics', 'add-partitions', 'orders', '--bootstrap', broker.bootstrap])
  assert.is(missing.code, 2)
  assert.is(
    missing.stderr,
    'weir topics: topics add-partitions needs --partitions N (the new total)\nsee weir topics --help\n',
  )
})

test('topics delete', async () => {
  const deleted = await run(['topics', 'delete', 'orders', '--bootstrap', broker.bootstrap])
  assert.is(deleted.code, 0, deleted.stderr)
  const listed = await run(['topics', 'list', '--bootstrap', broker.bootstrap])
  assert.is(listed.stdout.trim(), '')
})

test.run()
