// Proves `weir users` and the client security flags end to end: a broker started with --tls-* --sasl-mechanisms --bootstrap-user-file, users created, listed and deleted with the CLI over TLS and SCRAM, and a wrong password reported as SASL_AUTHENTICATION_FAILED.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killChildren, run, startBrokerChild } from './cli-support.js'

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../protocol/test/fixtures/tls/${name}`, import.meta.url))

let directory: string
let bootstrap: string
let asAdmin: string[]

test.before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'weir-users-cli-'))
  writeFileSync(join(directory, 'admin-user'), 'admin:admin-secret\n')
  writeFileSync(join(directory, 'dave-password'), 'dave-pass\n')
  const started = await startBrokerChild(join(directory, 'data'), [
    '--tls-cert',
    fixture('broker.pem'),
    '--tls-key',
    fixture('broker.key'),
    '--sasl-mechanisms',
    'scram-sha-256,scram-sha-512',
    '--bootstrap-user-file',
    join(directory, 'admin-user'),
  ])
  bootstrap = started.bootstrap
  asAdmin = ['--bootstrap', bootstrap, '--tls-ca', fixture('ca.pem'), '--sasl-mechanism', 'scram-sha-256']
  asAdmin.push('--sasl-username', 'admin')
  process.env.WEIR_SASL_PASSWORD = 'admin-secret'
})

test.after(() => {
  killChildren()
  delete process.env.WEIR_SASL_PASSWORD
  rmSync(directory, { recursive: true, force: true })
})

test('users create, list and delete over TLS as the bootstrap admin', async () => {
  await eventually(
    'weir users create to succeed once the bootstrap admin exists',
    async () => {
      const created = await run([
        'users',
        'create',
        'dave',
        '--password-file',
        join(directory, 'dave-password'),
        ...asAdmin,
      ])
      return created.code === 0 ? created : undefined
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  )
  const listed = await run(['users', 'list', ...asAdmin])
  assert.is(listed.code, 0, listed.stderr)
  assert.match(listed.stdout, /dave\s+scram-sha-256,scram-sha-512/)
  assert.not.match(listed.stdout, /dave-pass/)

  const asDave = [
    '--bootstrap',
    bootstrap,
    '--tls-ca',
    fixture('ca.pem'),
    '--sasl-mechanism',
    'scram-sha-512',
  ]
  const topics = await run([
    'topics',
    'list',
    ...asDave,
    '--sasl-username',
    'dave',
    '--sasl-password',
    'dave-pass',
  ])
  assert.is(topics.code, 0, topics.stderr)

  const deleted = await run(['users', 'delete', 'dave', ...asAdmin])
  assert.is(deleted.code, 0, deleted.stderr)
  assert.match(deleted.stdout, /user dave deleted/)
  const refused = await run([
    'topics',
    'list',
    ...asDave,
    '--sasl-username',
    'dave',
    '--sasl-password',
    'dave-pass',
  ])
  assert.is(refused.code, 1)
  assert.match(refused.stderr, /SASL_AUTHENTICATION_FAILED/)
})

test('client flags that cannot work are usage errors', async () => {
  const missing = await run(['users', 'create', 'erin', ...asAdmin])
  assert.is(missing.code, 2)
  assert.match(missing.stderr, /needs a password/)
  const halfTls = await run(['topics', 'list', '--bootstrap', bootstrap, '--tls-cert', fixture('alice.pem')])
  assert.is(halfTls.code, 2)
  assert.match(halfTls.stderr, /--tls-key/)
})

test.run()
