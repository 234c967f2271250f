// Proves the real `weir` binary's machine-readable and shell-facing output: --json for topics list/describe/reassignments, groups (in groups-cli.test.ts), acl list, users list and cluster describe in the documented shapes; `weir completion bash|zsh|fish` scripts with every command (bash's run by a real bash); and an UNKNOWN_TOPIC answer that names the topic, never the broker's data directory.
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, isWeirError } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killChildren, run, startBrokerChild } from './cli-support.js'

let dataDir = ''
let bootstrap = ''

test.before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'weir-cli-output-'))
  ;({ bootstrap } = await startBrokerChild(dataDir))
  const created = await run(['topics', 'create', 'orders', '--partitions', '2', '-b', bootstrap])
  assert.is(created.code, 0, created.stderr)
  const produced = await run(['produce', 'orders', '-b', bootstrap], 'one\ntwo\nthree\n')
  assert.is(produced.code, 0, produced.stderr)
})

test.after(async () => {
  killChildren()
  await rm(dataDir, { recursive: true, force: true })
})

async function json(args: readonly string[]): Promise<unknown> {
  const result = await run([...args, '--json', '-b', bootstrap])
  assert.is(result.code, 0, result.stderr)
  return JSON.parse(result.stdout)
}

test('topics list, describe and reassignments --json', async () => {
  assert.equal(await json(['topics', 'list']), [{ name: 'orders' }])
  const described = (await json(['topics', 'describe', 'orders'])) as {
    name: string
    config: Record<string, unknown>
    partitions: {
      partition: number
      leader: number
      replicas: number[]
      isr: number[] | null
      logStartOffset: number
      highWatermark: number
    }[]
  }
  assert.is(described.name, 'orders')
  assert.is(described.config.fsync, 'always')
  assert.equal(
    described.partitions.map((partition) => Object.keys(partition)),
    [0, 1].map(() => ['partition', 'leader', 'replicas', 'isr', 'logStartOffset', 'highWatermark']),
  )
  assert.is(
    described.partitions.reduce((sum, partition) => sum + partition.highWatermark, 0),
    3,
  )
  assert.equal(described.partitions[0]!.replicas, [1])
  // Nothing moving on a single broker: an empty list, not the table's sentence.
  assert.equal(await json(['topics', 'reassignments']), [])
})

test('acl list, users list and cluster describe --json', async () => {
  const added = await run([
    'acl',
    'add',
    '--principal',
    'User:alice',
    '--operation',
    'Read',
    '--topic',
    'orders',
    '-b',
    bootstrap,
  ])
  assert.is(added.code, 0, added.stderr)
  assert.equal(await json(['acl', 'list']), [
    {
      principal: 'User:alice',
      permission: 'allow',
      operation: 'Read',
      resourceType: 'Topic',
      resourceName: 'orders',
      patternType: 'literal',
      host: '*',
    },
  ])
  const created = await run(['users', 'create', 'bob', '--password', 'secret-enough', '-b', bootstrap])
  assert.is(created.code, 0, created.stderr)
  assert.equal(await json(['users', 'list']), [
    { username: 'bob', mechanisms: ['scram-sha-256', 'scram-sha-512'] },
  ])
  const cluster = (await json(['cluster', 'describe'])) as {
    controllerId: number
    brokers: { id: number; host: string; port: number; controller: boolean; leads: number; state: string }[]
    partitionCount: number
    underReplicated: unknown[]
  }
  assert.is(cluster.controllerId, 1)
  assert.is(cluster.brokers.length, 1)
  assert.is(`${cluster.brokers[0]!.host}:${cluster.brokers[0]!.port}`, bootstrap)
  assert.is(cluster.brokers[0]!.controller, true)
  assert.is(cluster.brokers[0]!.state, 'alive')
  assert.is(cluster.brokers[0]!.leads, cluster.partitionCount)
  assert.equal(cluster.underReplicated, [])
})

test('completion scripts name every command; bash completes actions for real', async () => {
  const bash = await run(['completion', 'bash'])
  assert.is(bash.code, 0, bash.stderr)
  const program = `${bash.stdout}
COMP_WORDS=(weir groups d); COMP_CWORD=2; _weir; printf '%s\\n' "\${COMPREPLY[@]}"
COMP_WORDS=(weir topics list --j); COMP_CWORD=3; _weir; printf '%s\\n' "\${COMPREPLY[@]}"`
  assert.is(execFileSync('bash', ['-c', program], { encoding: 'utf8' }), 'describe\ndelete\n--json\n')
  for (const shell of ['zsh', 'fish']) {
    const script = await run(['completion', shell])
    assert.is(script.code, 0, script.stderr)
    for (const command of [
      'broker',
      'topics',
      'produce',
      'consume',
      'groups',
      'cluster',
      'acl',
      'users',
      'completion',
    ])
      assert.ok(script.stdout.includes(command), `${shell} script lacks ${command}`)
  }
  const bad = await run(['completion', 'tcsh'])
  assert.is(bad.code, 2)
  assert.match(bad.stderr, /needs one shell: bash, zsh, fish.*\nsee weir completion --help\n$/)
})

test('UNKNOWN_TOPIC answers name the topic, not the broker data directory', async () => {
  const client = new Client({ brokers: [bootstrap], clientId: 'cli-output-test' })
  try {
    const error = await client
      .brokerOffsetStore()
      .commit('leak-check', [{ topic: 'nope', partition: 0, offset: 1 }], undefined)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      )
    assert.ok(isWeirError(error, 'UNKNOWN_TOPIC'), String(error))
    assert.match((error as Error).message, /topic nope does not exist/)
    assert.not.ok((error as Error).message.includes(dataDir), (error as Error).message)
  } finally {
    await client.close()
  }
})

test.run()
