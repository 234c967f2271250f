// Proves `weir groups` end to end against a broker child process: list shows a group, describe prints its members and per-partition committed offset, log end and lag (also as --json), reset-offsets moves an idle group (earliest, latest, datetime ISO or ms, --to-offset, --shift-by, chosen partitions) printing old and new offsets, --dry-run changes nothing, a live group is refused with exit 1, delete removes a group, an unknown group exits 1 within 2 s, and usage errors are exit 2 with one line.
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
  assert.match(earliest.stdout, /partition\s+old\s+new\n0\s+1\s+0\n1\s+-\s+0\n$/)
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

test('usage errors are exit 2 with one line and where the help is', async () => {
  for (const args of [
    ['groups'],
    ['groups', 'describe'],
    ['groups', 'reset-offsets', 'g', '--to-earliest'],
    ['groups', 'reset-offsets', 'g', '--topic', 't'],
    ['groups', 'reset-offsets', 'g', '--topic', 't', '--to-earliest', '--to-latest'],
    ['groups', 'reset-offsets', 'g', '--topic', 't', '--to-datetime', 'yesterday'],
    ['groups', 'reset-offsets', 'g', '--topic', 't', '--shift-by', 'x'],
    ['groups', 'delete'],
  ]) {
    const result = await run([...args, '--bootstrap', bootstrap])
    assert.is(result.code, 2, `${args.join(' ')}: ${result.stderr}`)
    assert.match(result.stderr, /^weir groups: [^\n]+\nsee weir groups --help\n$/)
  }
})

/** Commits `offsets` (by partition of orders) for an idle group, then runs reset-offsets with `args`. */
async function reset(group: string, offsets: readonly number[], args: readonly string[]) {
  await client.brokerOffsetStore().commit(
    group,
    offsets.map((offset, partition) => ({ topic: 'orders', partition, offset })),
    undefined,
  )
  return run(['groups', 'reset-offsets', group, ...args, '--bootstrap', bootstrap])
}

async function committed(group: string): Promise<(number | null)[]> {
  const described = await client.admin().describeGroup(group)
  return described.offsets.map((row) => (row.committedOffset < 0 ? null : row.committedOffset))
}

test('reset-offsets --dry-run prints the plan and changes nothing', async () => {
  const result = await reset('dry', [3, 4], ['--topic', 'orders', '--to-earliest', '--dry-run'])
  assert.is(result.code, 0, result.stderr)
  assert.match(result.stdout, /^would reset group dry on orders to earliest \(dry run: nothing changed\)\n/)
  assert.match(result.stdout, /\n0\s+3\s+0\n1\s+4\s+0\n$/)
  assert.equal(await committed('dry'), [3, 4])
})

test('reset-offsets --to-offset, --shift-by (negative too, clamped to the log), partitions, --json', async () => {
  const ends = (await client.admin().describeTopic('orders')).partitions.map(
    (partition) => partition.highWatermark,
  )
  const toOffset = await reset('moves', [5, 5], ['--topic', 'orders', '--to-offset', '2'])
  assert.is(toOffset.code, 0, toOffset.stderr)
  assert.match(toOffset.stdout, /to offset 2\n/)
  assert.equal(await committed('moves'), [2, 2])
  const back = await reset('moves', [5, 6], ['--topic', 'orders', '--shift-by', '-3'])
  assert.is(back.code, 0, back.stderr)
  assert.equal(await committed('moves'), [2, 3])
  const past = await reset('moves', [5, 6], ['--topic', 'orders:1', '--shift-by', '1000'])
  assert.is(past.code, 0, past.stderr)
  assert.equal(await committed('moves'), [5, ends[1]!])
  const json = await reset('moves', [5, 6], ['--topic', 'orders:0', '--shift-by', '-100', '--json'])
  assert.is(json.code, 0, json.stderr)
  assert.equal(JSON.parse(json.stdout), {
    groupId: 'moves',
    topic: 'orders',
    target: 'shift by -100',
    dryRun: false,
    partitions: [{ partition: 0, from: 5, to: 0 }],
  })
  assert.equal(await committed('moves'), [0, 6])
})

test('reset-offsets --to-datetime takes ms since the epoch as well as ISO', async () => {
  const start = await reset('times', [7, 7], ['--topic', 'orders', '--to-datetime', '0'])
  assert.is(start.code, 0, start.stderr)
  assert.match(start.stdout, /to 1970-01-01T00:00:00\.000Z\n/)
  assert.equal(await committed('times'), [0, 0])
  const ends = (await client.admin().describeTopic('orders')).partitions.map(
    (partition) => partition.highWatermark,
  )
  const future = await reset(
    'times',
    [1, 1],
    ['--topic', 'orders', '--to-datetime', String(Date.UTC(2999, 0))],
  )
  assert.is(future.code, 0, future.stderr)
  assert.equal(await committed('times'), ends)
})

test('describe --json and list --json give the documented shapes', async () => {
  await client.brokerOffsetStore().commit('shaped', [{ topic: 'orders', partition: 0, offset: 1 }], undefined)
  const described = await run(['groups', 'describe', 'shaped', '--json', '--bootstrap', bootstrap])
  assert.is(described.code, 0, described.stderr)
  const end0 = (await client.admin().describeTopic('orders')).partitions[0]!.highWatermark
  assert.equal(JSON.parse(described.stdout), {
    groupId: 'shaped',
    state: 'empty',
    protocol: '',
    generationId: 0,
    members: [],
    offsets: [{ topic: 'orders', partition: 0, committedOffset: 1, logEndOffset: end0, lag: end0 - 1 }],
  })
  const listed = await run(['groups', 'list', '--json', '--bootstrap', bootstrap])
  assert.is(listed.code, 0, listed.stderr)
  assert.ok(
    (JSON.parse(listed.stdout) as unknown[]).some(
      (entry) =>
        JSON.stringify(entry) === JSON.stringify({ groupId: 'shaped', state: 'empty', protocolType: '' }),
    ),
    listed.stdout,
  )
})

test('delete removes an idle group; a live one is refused', async () => {
  await client.brokerOffsetStore().commit('doomed', [{ topic: 'orders', partition: 0, offset: 1 }], undefined)
  const deleted = await run(['groups', 'delete', 'doomed', '--bootstrap', bootstrap])
  assert.is(deleted.code, 0, deleted.stderr)
  assert.is(deleted.stdout, 'deleted group doomed\n')
  const listed = await run(['groups', 'list', '--bootstrap', bootstrap])
  assert.not.match(listed.stdout, /\ndoomed\s/)
  const member = client.groupMembership({ groupId: 'busy', topics: ['orders'], sessionTimeoutMs: 5000 })
  await member.start()
  try {
    const refused = await run(['groups', 'delete', 'busy', '--bootstrap', bootstrap])
    assert.is(refused.code, 1)
    assert.match(refused.stderr, /NON_EMPTY_GROUP/)
  } finally {
    await member.close()
  }
})

test('an unknown group exits 1 within 2 s for describe, delete and reset-offsets', async () => {
  for (const args of [
    ['groups', 'describe', 'nobody'],
    ['groups', 'delete', 'nobody'],
    ['groups', 'reset-offsets', 'nobody', '--topic', 'orders', '--to-earliest'],
  ]) {
    const startedMs = performance.now()
    const result = await run([...args, '--bootstrap', bootstrap])
    const elapsedMs = performance.now() - startedMs
    assert.is(result.code, 1, `${args.join(' ')}: ${result.stdout}${result.stderr}`)
    assert.match(result.stderr, /GROUP_ID_NOT_FOUND: .*nobody/)
    assert.ok(elapsedMs < 2000, `${args.join(' ')} took ${Math.round(elapsedMs)} ms`)
  }
})

test.run()
