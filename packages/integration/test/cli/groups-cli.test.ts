// Proves `weir groups` end to end against a broker child process: list shows a group, describe prints its members and per-partition committed offset, log end and lag, reset-offsets moves an idle group (earliest, latest, datetime) and refuses a live one with exit 1, and usage errors are exit 2.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killChildren, run, startBrokerChild } from './cli-support.js'

let dataDir = ''
let bootstrap = ''
let client: Client

test.before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'weir-cli-groups-'))
  ;({ bootstrap } = await startBrokerChild(dataDir))
  client = new Client({ brokers: [bootstrap], clientId: 'groups-cli-test' })
  const created = await run(['topics', 'create', 'orders', '--partitions', '2', '--bootstrap', bootstrap])
  assert.is(created.code, 0, created.stderr)
  const lines = Array.from({ length: 20 }, (_, index) => `k${index}:v${index}`)
  const produced = await run(
    ['produce', 'orders', '--key-separator', ':', '--bootstrap', bootstrap],
    `${lines.join('\n')}\n`,
  )
  assert.is(produced.code, 0, produced.stderr)
})

test.after(async () => {
  await client.close()
  killChildren()
  await rm(dataDir, { recursive: true, force: true })
})

test('list and describe show the group with committed offsets and lag', async () => {
  await client
    .brokerOffsetStore()
    .commit('billing', [{ topic: 'orders', partition: 0, offset: 1 }], undefined)
  const listed = await run(['groups', 'list', '--bootstrap', bootstrap])
  assert.is(listed.code, 0, listed.stderr)
  assert.match(listed.stdout, /^group\s+state\s+protocolType/)
  assert.match(listed.stdout, /\nbilling\s+empty\s+-/)
  const described = await run(['groups', 'describe', 'billing', '--bootstrap', bootstrap])
  assert.is(described.code, 0, described.stderr)
  const end0 = (await client.admin().describeTopic('orders')).partitions[0]!.highWatermark
  assert.match(described.stdout, /state empty/)
  assert.match(described.stdout, /\(no members\)/)
  assert.match(described.stdout, /topic\s+partition\s+committed\s+logEnd\s+lag/)
  assert.match(described.stdout, new RegExp(`orders\\s+0\\s+1\\s+${end0}\\s+${end0 - 1}\\n`))
})

test('reset-offsets to earliest, latest and a datetime', async () => {
  const earliest = await run([
    'groups',
    'reset-offsets',
    'billing',
    '--topic',
    'orders',
    '--to-earliest',
    '--bootstrap',
    bootstrap,
  ])
  assert.is(earliest.code, 0, earliest.stderr)
  assert.match(earliest.stdout, /reset group billing on orders to earliest/)
  assert.match(earliest.stdout, /\n0\s+0\n1\s+0\n$/)
  const latest = await run([
    'groups',
    'reset-offsets',
    'billing',
    '--topic',
    'orders',
    '--to-latest',
    '--bootstrap',
    bootstrap,
  ])
  assert.is(latest.code, 0, latest.stderr)
  const described = await client.admin().describeGroup('billing')
  assert.ok(described.offsets.every((row) => row.lag === 0))
  const future = await run([
    'groups',
    'reset-offsets',
    'billing',
    '--topic',
    'orders',
    '--to-datetime',
    '2999-01-01T00:00:00Z',
    '--bootstrap',
    bootstrap,
  ])
  assert.is(future.code, 0, future.stderr)
  assert.match(future.stdout, /to 2999-01-01T00:00:00.000Z/)
})

test('reset-offsets of a group with live members is exit 1 saying so', async () => {
  const member = client.groupMembership({ groupId: 'live', topics: ['orders'], sessionTimeoutMs: 5000 })
  await member.start()
  try {
    const refused = await run([
      'groups',
      'reset-offsets',
      'live',
      '--topic',
      'orders',
      '--to-earliest',
      '--bootstrap',
      bootstrap,
    ])
    assert.is(refused.code, 1)
    assert.match(refused.stderr, /NON_EMPTY_GROUP: .*live member/)
    const described = await run(['groups', 'describe', 'live', '--bootstrap', bootstrap])
    assert.match(described.stdout, /state stable/)
    assert.match(described.stdout, /groups-cli-test\s+127\.0\.0\.1\s+orders\/0,orders\/1/)
  } finally {
    await member.close()
  }
})

test('usage errors are exit 2 with the help text', async () => {
  for (const args of [
    ['groups'],
    ['groups', 'describe'],
    ['groups', 'reset-offsets', 'g', '--to-earliest'],
    ['groups', 'reset-offsets', 'g', '--topic', 't'],
    ['groups', 'reset-offsets', 'g', '--topic', 't', '--to-earliest', '--to-latest'],
    ['groups', 'reset-offsets', 'g', '--topic', 't', '--to-datetime', 'yesterday'],
  ]) {
    const result = await run([...args, '--bootstrap', bootstrap])
    assert.is(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
    assert.match(result.stderr, /Usage:\n {2}weir groups list/)
  }
})

test.run()
