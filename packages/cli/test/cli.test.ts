// Proves the `weir` binary runs a broker as a child process: help and usage errors, the bound address, --data-dir against the caller's directory, clean SIGTERM, port in use.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  buildCli,
  exited,
  killChildren,
  removeTemporaryDirectories,
  runToExit,
  startChildBroker,
  temporaryDirectory,
} from './support/child-cli.js'

test.before(() => buildCli())

test.after(async () => {
  await killChildren()
  removeTemporaryDirectories()
})

test('--help at every level exits 0 and prints usage', async () => {
  const top = await runToExit(['--help'])
  assert.is(top.code, 0)
  assert.match(top.stdout, /Usage: weir <command>/)
  assert.match(top.stdout, /broker/)
  const broker = await runToExit(['broker', '--help'])
  assert.is(broker.code, 0)
  assert.match(broker.stdout, /--data-dir DIR/)
})

test('weir broker drain|undrain dispatch to the drain command; weir broker still runs a broker', async () => {
  const help = await runToExit(['broker', 'drain', '--help'])
  assert.is(help.code, 0)
  assert.match(help.stdout, /weir broker drain ID \[--no-wait\]/)
  const missing = await runToExit(['broker', 'undrain'])
  assert.is(missing.code, 2)
  assert.match(missing.stderr, /broker undrain needs a broker ID/)
  const zero = await runToExit(['broker', 'drain', '0'])
  assert.is(zero.code, 2)
  assert.match(zero.stderr, /ID must be an integer from 1/)
  const broker = await runToExit(['broker', '--help'])
  assert.match(broker.stdout, /weir broker drain\|undrain ID/)
})

test('bad flags and unknown commands exit 2 with a message and where the help is', async () => {
  const flag = await runToExit(['broker', '--no-such-flag'])
  assert.is(flag.code, 2)
  assert.match(flag.stderr, /--no-such-flag/)
  assert.match(flag.stderr, /\nsee weir broker --help\n$/)
  const listen = await runToExit(['broker', '--listen', 'nowhere'])
  assert.is(listen.code, 2)
  assert.match(listen.stderr, /--listen must be host:port/)
  const command = await runToExit(['brokr'])
  assert.is(command.code, 2)
  assert.match(command.stderr, /unknown command "brokr"/)
})

test('a config file with an unknown key is refused naming the key', async () => {
  const path = join(temporaryDirectory(), 'weir.json')
  writeFileSync(path, JSON.stringify({ dataDir: './data', limits: { maxFrameBytes: 1 << 20 }, portt: 1 }))
  const result = await runToExit(['broker', '--config', path])
  assert.is(result.code, 2)
  assert.match(result.stderr, /unknown key "portt"/)
})

test('the child broker logs its address, serves, and exits 0 on SIGTERM after a clean close', async () => {
  const broker = await startChildBroker(['--data-dir', temporaryDirectory()])
  const client = new Client({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'cli-test' })
  try {
    await client.admin().createTopic({ topic: 'from-cli', partitions: 2 })
    const cluster = await client.admin().describeCluster()
    assert.equal(cluster.brokers, [{ id: 1, host: '127.0.0.1', port: broker.port }])
  } finally {
    await client.close()
  }
  broker.child.kill('SIGTERM')
  const { code } = await exited(broker.child)
  assert.is(code, 0)
  assert.match(broker.output(), /"msg":"closed"/)
})

test('a relative --data-dir is resolved against INIT_CWD, the directory pnpm was run from', async () => {
  // `pnpm start` at the repository root runs `weir broker --data-dir ./data`: the data must land
  // in the directory the user typed the command in, whatever the child's own working directory.
  const userDirectory = temporaryDirectory()
  const broker = await startChildBroker(['--data-dir', './data'], { initCwd: userDirectory })
  assert.ok(existsSync(join(userDirectory, 'data')), broker.output())
  broker.child.kill('SIGKILL')
  await exited(broker.child)
})

test('a port already in use exits 1 naming the port and what to do', async () => {
  const first = await startChildBroker(['--data-dir', temporaryDirectory()])
  const second = await runToExit([
    'broker',
    '--listen',
    `127.0.0.1:${first.port}`,
    '--data-dir',
    temporaryDirectory(),
  ])
  assert.is(second.code, 1)
  assert.match(second.stderr, new RegExp(`port ${first.port} on 127.0.0.1 is already in use`))
  assert.match(second.stderr, /--listen/)
  // Ctrl-C: a clean close, then the shell's exit code for SIGINT.
  first.child.kill('SIGINT')
  assert.is((await exited(first.child)).code, 130)
})

test("a second broker on the same data directory exits 2 naming the first one's pid; after it stops, the directory is free", async () => {
  const dataDir = temporaryDirectory()
  const first = await startChildBroker(['--data-dir', dataDir])
  const second = await runToExit(['broker', '--listen', '127.0.0.1:0', '--data-dir', dataDir])
  assert.is(second.code, 2)
  assert.match(second.stderr, new RegExp(`weir\\.lock is held by process ${first.child.pid}\\b`))
  first.child.kill('SIGTERM')
  assert.is((await exited(first.child)).code, 0)
  const third = await startChildBroker(['--data-dir', dataDir])
  third.child.kill('SIGKILL')
  await exited(third.child)
  // A broker killed -9 leaves a stale lock: the next start takes it over.
  const fourth = await startChildBroker(['--data-dir', dataDir])
  assert.match(fourth.output(), /listening on/)
  fourth.child.kill('SIGKILL')
  await exited(fourth.child)
})

test('numeric flags get a range error, negative numbers included, and exit 2', async () => {
  const partitions = await runToExit(['topics', 'create', 'x', '--partitions', '-1'])
  assert.is(partitions.code, 2)
  assert.match(partitions.stderr, /--partitions must be an integer from 1 to 10000, got "-1"/)
  assert.not.match(partitions.stderr, /ambiguous/)
  const huge = await runToExit(['topics', 'create', 'x', '--partitions', '99999999999999999999'])
  assert.match(huge.stderr, /--partitions must be an integer from 1 to 10000/)
  const id = await runToExit(['broker', '--id', '-3'])
  assert.is(id.code, 2)
  assert.match(id.stderr, /--id must be an integer from 1 to 2147483647, got "-3"/)
  const lag = await runToExit(['broker', '--replica-lag-time-ms', '5'])
  assert.is(lag.code, 2)
  assert.match(lag.stderr, /--replica-lag-time-ms must be an integer from 100 to 600000, got "5"/)
  const count = await runToExit(['consume', 'x', '--count', '-5'])
  assert.is(count.code, 2)
  assert.match(count.stderr, /--count must be an integer from 1 to 9007199254740991, got "-5"/)
  // consume's --offset is not only a number (-5 is 5 before the end): its forms are named.
  const offset = await runToExit(['consume', 'x', '--offset', 'soon'])
  assert.is(offset.code, 2)
  assert.match(offset.stderr, /--offset must be start, end or a number, got "soon"/)
  const config = await runToExit([
    'topics',
    'create',
    'x',
    '--partitions',
    '1',
    '--config',
    'retentionMs=99999999999999999999',
  ])
  assert.is(config.code, 2)
  assert.match(config.stderr, /--config retentionMs must be an integer from -1 to 9007199254740991/)
})

test.run()
