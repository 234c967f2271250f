// Proves a compacted topic from the real `weir` binary: `topics create --config` takes Kafka's dotted names (cleanup.policy=compact, segment.bytes, delete.retention.ms), describe shows them, a bad policy is a usage error, and produce without a key is refused with a message saying to set one.
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killChildren, run, startBrokerChild } from './cli-support.js'

let dataDir = ''
let broker: { child: ChildProcess; bootstrap: string }

test.before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'weir-cli-compacted-'))
  broker = await startBrokerChild(dataDir)
})

test.after(async () => {
  killChildren()
  await rm(dataDir, { recursive: true, force: true })
})

test('topics create --config cleanup.policy=compact and the other dotted names', async () => {
  const created = await run([
    'topics',
    'create',
    'profiles',
    '--partitions',
    '1',
    '--config',
    'cleanup.policy=compact',
    '--config',
    'segment.bytes=4096',
    '--config',
    'delete.retention.ms=60000',
    '--config',
    'retention.ms=-1',
    '--bootstrap',
    broker.bootstrap,
  ])
  assert.is(created.code, 0, created.stderr)
  const described = await run(['topics', 'describe', 'profiles', '--bootstrap', broker.bootstrap])
  assert.is(described.code, 0, described.stderr)
  assert.match(described.stdout, /cleanupPolicy=compact\b/)
  assert.match(described.stdout, /segmentBytes=4096\b/)
  assert.match(described.stdout, /deleteRetentionMs=60000\b/)
  assert.match(described.stdout, /retentionMs=-1\b/)
})

test('an unknown cleanup policy is a usage error naming the allowed ones', async () => {
  const refused = await run([
    'topics',
    'create',
    'shredded',
    '--partitions',
    '1',
    '--config',
    'cleanup.policy=shred',
    '--bootstrap',
    broker.bootstrap,
  ])
  assert.is(refused.code, 2)
  assert.match(
    refused.stderr,
    /cleanup\.policy must be one of 'delete', 'compact', 'compact,delete', got "shred"/,
  )
})

test('produce to a compacted topic: keyed lines go in, a line without a key is refused', async () => {
  const keyed = await run(
    ['produce', 'profiles', '--key-separator', ':', '--bootstrap', broker.bootstrap],
    'ann:1\nbob:2\nann:3\n',
  )
  assert.is(keyed.code, 0, keyed.stderr)
  const keyless = await run(['produce', 'profiles', '--bootstrap', broker.bootstrap], 'no key here\n')
  assert.is(keyless.code, 1)
  assert.match(keyless.stderr, /has no key, but topic profiles is compacted .*give every record a key/)
})

test.run()
