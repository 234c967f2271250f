// Proves `weir console` and `weir broker --console-listen` with the real binary: each prints the
// console's URL and serves the API for the broker; Ctrl-C ends `weir console` with 130, SIGTERM
// ends the broker and its console with 0; bad addresses are usage errors (exit 2).
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killChildren, run, spawnCli, startBrokerChild } from './cli-support.js'

let dataDir = ''
let bootstrap = ''

test.before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'weir-cli-console-'))
  ;({ bootstrap } = await startBrokerChild(dataDir))
})

test.after(async () => {
  killChildren()
  await rm(dataDir, { recursive: true, force: true })
})

/** The first console URL the child prints (stdout or its log). */
function consoleUrlOf(child: ChildProcess): Promise<string> {
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const match = /(?:serving|web console on) (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)
      if (match) resolve(match[1]!)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`exited with ${code} before serving:\n${output}`)))
  })
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

test('weir console prints its URL, serves the cluster, and exits 130 on Ctrl-C', async () => {
  const child = spawnCli(['console', '--bootstrap', bootstrap, '--listen', '127.0.0.1:0'])
  const exited = exitOf(child)
  const url = await consoleUrlOf(child)
  const brokers = (await (await fetch(new URL('/api/brokers', url))).json()) as {
    brokers: { port: number }[]
  }
  assert.is(brokers.brokers.length, 1)
  assert.is(`127.0.0.1:${brokers.brokers[0]!.port}`, bootstrap)
  assert.is((await fetch(url)).status, 200)
  child.kill('SIGINT')
  assert.is(await exited, 130)
})

test('weir console refuses a bad --listen with a one-line reason and exit 2', async () => {
  const result = await run(['console', '--bootstrap', bootstrap, '--listen', 'localhost'])
  assert.is(result.code, 2)
  assert.match(result.stderr, /^weir console: --listen must be HOST:PORT/)
})

test('weir broker --console-listen serves the console for itself until SIGTERM', async () => {
  const ownDir = await mkdtemp(join(tmpdir(), 'weir-cli-console-broker-'))
  try {
    const child = spawnCli([
      'broker',
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      ownDir,
      '--console-listen',
      '127.0.0.1:0',
    ])
    const exited = exitOf(child)
    const url = await consoleUrlOf(child)
    const topics = await fetch(new URL('/api/topics', url))
    assert.is(topics.status, 200)
    assert.equal(await topics.json(), { topics: [] })
    child.kill('SIGTERM')
    assert.is(await exited, 0)
  } finally {
    await rm(ownDir, { recursive: true, force: true })
  }
})

test('weir broker refuses a bad --console-listen before starting', async () => {
  const result = await run(['broker', '--data-dir', dataDir, '--console-listen', 'nowhere'])
  assert.is(result.code, 2)
  assert.match(result.stderr, /--console-listen must be HOST:PORT/)
})

test.run()
