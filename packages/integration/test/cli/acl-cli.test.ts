// Proves `weir acl` end to end as an operator uses it: bindings added on an open broker, then `weir broker --authorizer acl` enforces them (Write on orders produces, payments is refused with exit 1), `weir acl remove` applies on the next request without a restart, and usage errors (weir acl and weir broker --authorizer/--super-users) exit 2 without a broker.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killChildren, run, startBrokerChild } from './cli-support.js'

let dataDir = ''

test.before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'weir-cli-acl-'))
})

test.after(async () => {
  killChildren()
  await rm(dataDir, { recursive: true, force: true })
})

// The CLI connects without credentials: its principal is User:ANONYMOUS.
const me = ['--principal', 'User:ANONYMOUS']

test('bindings added while open are enforced once the broker runs with --authorizer acl', async () => {
  const open = await startBrokerChild(dataDir)
  for (const args of [
    [...me, '--operation', 'All', '--cluster'],
    [...me, '--operation', 'Write', '--topic', 'orders'],
    [...me, '--operation', 'Read', '--topic', 'logs-', '--prefixed'],
  ]) {
    const added = await run(['acl', 'add', ...args, '--bootstrap', open.bootstrap])
    assert.is(added.code, 0, added.stderr)
    assert.match(added.stdout, /^added allow User:ANONYMOUS/)
  }
  for (const topic of ['orders', 'payments']) {
    const created = await run(['topics', 'create', topic, '--partitions', '1', '--bootstrap', open.bootstrap])
    assert.is(created.code, 0, created.stderr)
  }
  const listed = await run(['acl', 'list', '--topic', 'logs-', '--prefixed', '--bootstrap', open.bootstrap])
  assert.is(listed.code, 0, listed.stderr)
  assert.match(listed.stdout, /^principal\s+permission\s+operation\s+resource\s+name\s+pattern\s+host\n/)
  assert.match(listed.stdout, /User:ANONYMOUS\s+allow\s+Read\s+Topic\s+logs-\s+prefixed\s+\*\n$/)
  open.child.kill('SIGTERM')
  await new Promise((resolve) => open.child.once('exit', resolve))

  const guarded = await startBrokerChild(dataDir, ['--authorizer', 'acl', '--super-users', 'User:admin'])
  const produced = await run(['produce', 'orders', '--bootstrap', guarded.bootstrap], 'one\ntwo\n')
  assert.is(produced.code, 0, produced.stderr)
  const refused = await run(['produce', 'payments', '--bootstrap', guarded.bootstrap], 'three\n')
  assert.is(refused.code, 1)
  assert.match(refused.stderr, /TOPIC_AUTHORIZATION_FAILED/)

  const removed = await run(['acl', 'remove', ...me, '--topic', 'orders', '--bootstrap', guarded.bootstrap])
  assert.is(removed.code, 0, removed.stderr)
  assert.match(removed.stdout, /^removed 1 binding\n/)
  const revoked = await run(['produce', 'orders', '--bootstrap', guarded.bootstrap], 'four\n')
  assert.is(revoked.code, 1)
  assert.match(revoked.stderr, /TOPIC_AUTHORIZATION_FAILED/)
  const left = await run(['acl', 'list', '--bootstrap', guarded.bootstrap])
  assert.equal(left.stdout.trim().split('\n').length, 3, left.stdout)
})

test('usage errors exit 2 before connecting', async () => {
  const missing = await run([
    'acl',
    'add',
    '--principal',
    'User:alice',
    '--topic',
    'orders',
    '--bootstrap',
    '127.0.0.1:1',
  ])
  assert.is(missing.code, 2)
  assert.match(missing.stderr, /--operation/)
  const everything = await run(['acl', 'remove', '--bootstrap', '127.0.0.1:1'])
  assert.is(everything.code, 2)
  assert.match(everything.stderr, /remove every binding/)
  const authorizer = await run(['broker', '--authorizer', 'simple', '--data-dir', dataDir])
  assert.is(authorizer.code, 2)
  assert.match(authorizer.stderr, /--authorizer must be acl/)
  const superUsers = await run(['broker', '--super-users', 'admin', '--data-dir', dataDir])
  assert.is(superUsers.code, 2)
  assert.match(superUsers.stderr, /--super-users must be principals/)
})

test.run()
