// Proves a codec whose native library does not load is UNSUPPORTED_COMPRESSION_TYPE (65) naming the package to install, while the other codecs keep working (a child process with snappy made unloadable).
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/compression/${name}`, import.meta.url))

test('snappy missing: code 65 with the package name; zstd still round-trips', () => {
  const output = execFileSync(
    process.execPath,
    ['--require', fixtures('hide-snappy.cjs'), '--import', 'tsx', fixtures('use-codecs.ts')],
    { encoding: 'utf8', timeout: 60_000 },
  )
  const [snappy, zstd] = output.trim().split('\n')
  assert.match(snappy!, /^snappy UNSUPPORTED_COMPRESSION_TYPE 65 /)
  assert.match(snappy!, /needs the npm package snappy/)
  assert.match(snappy!, /npm install snappy/)
  assert.is(zstd, 'zstd ok true')
})

test.run()
