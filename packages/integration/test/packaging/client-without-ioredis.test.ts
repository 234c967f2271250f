// Proves ioredis is optional for a user of @weir/client: the client as deployed with its production dependencies only (no ioredis anywhere on the resolution path) imports and serves the broker offset store, and RedisOffsetStore.connect fails with MISSING_DEPENDENCY naming the package to install.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { repositoryRoot, runToEnd } from './packaging-support.js'

const temporary: string[] = []

// Runs in the deployed package folder, so `@weir/client` resolves to itself (its exports) and its
// dependencies to the deployed node_modules only.
const probe = `
let ioredisFound = true
try { await import('ioredis') } catch { ioredisFound = false }
const client = await import('@weir/client')
const result = { ioredisFound, exports: typeof client.Client === 'function' && typeof client.RedisOffsetStore === 'function' }
try {
  await client.RedisOffsetStore.connect('redis://127.0.0.1:1')
  result.connect = 'connected'
} catch (error) {
  result.connect = { code: error.code, message: error.message }
}
console.log(JSON.stringify(result))
`

test('@weir/client without ioredis imports, and only RedisOffsetStore.connect asks for it', async () => {
  const out = mkdtempSync(join(tmpdir(), 'weir-client-deploy-'))
  temporary.push(out)
  rmSync(out, { recursive: true })
  const deployed = await runToEnd('pnpm', ['--filter', '@weir/client', 'deploy', '--prod', out], {
    cwd: repositoryRoot,
    timeoutMs: 300_000,
  })
  assert.is(deployed.code, 0, deployed.stderr + deployed.stdout)
  const probed = await runToEnd(process.execPath, ['--input-type=module', '--eval', probe], { cwd: out })
  assert.is(probed.code, 0, probed.stderr)
  const result = JSON.parse(probed.stdout.trim().split('\n').at(-1)!)
  assert.is(
    result.ioredisFound,
    false,
    'ioredis must not be installed with the client for this test to mean anything',
  )
  assert.is(result.exports, true, probed.stdout)
  assert.is(result.connect.code, 'MISSING_DEPENDENCY', probed.stdout)
  assert.match(result.connect.message, 'pnpm add ioredis')
})

test.after(() => {
  for (const directory of temporary) rmSync(directory, { recursive: true, force: true })
})

test.run()
