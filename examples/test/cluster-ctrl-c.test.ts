// Proves Ctrl-C on `pnpm cluster` (examples/src/cluster.ts) is clean: a SIGINT to the whole process group, as a terminal sends it, stops every broker with one signal (no "second signal" forced exit) and the script exits 130.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url))
const script = fileURLToPath(new URL('../src/cluster.ts', import.meta.url))

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** A base port whose three client ports and three peer ports (10 above) are all free. */
async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000)
    const ports = [0, 1, 2, 10, 11, 12].map((offset) => base + offset)
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base
  }
  throw new Error('no free base port found in 50 attempts')
}

test('SIGINT to the process group stops each broker once and exits 130', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'weir-cluster-ctrl-c-'))
  const base = await freeBasePort()
  // detached: the script leads its own process group, standing in for a terminal's foreground job.
  const child = spawn(tsx, [script, '--base-port', String(base), '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, INIT_CWD: dataDir },
  })
  let output = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const allListening = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if ([1, 2, 3].every((id) => new RegExp(`\\[broker ${id}\\] .*listening on`).test(output))) resolve()
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    void exited.then(() => reject(new Error(`cluster exited before its brokers listened:\n${output}`)))
  })
  try {
    await allListening
    process.kill(-child.pid!, 'SIGINT')
    const code = await exited
    assert.is(code, 130, output)
    assert.not.match(output, /second signal/)
    for (const id of [1, 2, 3]) assert.match(output, new RegExp(`\\[broker ${id}\\] exited \\(0\\)`), output)
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL')
    await rm(dataDir, { recursive: true, force: true })
  }
})

test.run()
