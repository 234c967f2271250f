// Proves metricsListen is checked like the other addresses: host:port or off, INVALID_CONFIG naming the key and the choices, in weir.json too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readConfigFile } from '../../src/index.js'
import { resolveMetricsListen } from '../../src/metrics/metrics-listen.js'
import { resolveOptions } from '../../src/options.js'

function refusal(check: () => unknown): string {
  try {
    check()
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
    return (error as Error).message
  }
  throw new Error('expected INVALID_CONFIG')
}

test('host:port binds, off and absent serve nothing; anything else names the key and both forms', () => {
  assert.equal(resolveMetricsListen('127.0.0.1:9171'), { host: '127.0.0.1', port: 9171 })
  assert.equal(resolveMetricsListen('[::1]:0'), { host: '::1', port: 0 })
  assert.is(resolveMetricsListen('off'), undefined)
  assert.is(resolveMetricsListen(undefined), undefined)
  assert.match(
    refusal(() => resolveMetricsListen('9171', '--metrics-listen')),
    /--metrics-listen must be HOST:PORT .* or off, got "9171"/,
  )
  assert.match(
    refusal(() => resolveMetricsListen(9171)),
    /metricsListen must be HOST:PORT/,
  )
  assert.match(
    refusal(() => resolveMetricsListen('127.0.0.1:70000')),
    /port from 0 to 65535/,
  )
  assert.is(
    resolveOptions({ dataDir: '/tmp/x' }).metricsListen,
    undefined,
    'an embedded broker serves none by default',
  )
  assert.equal(resolveOptions({ dataDir: '/tmp/x', metricsListen: '0.0.0.0:9200' }).metricsListen, {
    host: '0.0.0.0',
    port: 9200,
  })
})

test('weir.json takes metricsListen and checks it', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'weir-metrics-config-'))
  try {
    const good = join(directory, 'good.json')
    writeFileSync(good, JSON.stringify({ metricsListen: 'off' }))
    assert.is((await readConfigFile(good)).metricsListen, 'off')
    const bad = join(directory, 'bad.json')
    writeFileSync(bad, JSON.stringify({ metricsListen: 'everywhere' }))
    const message = await readConfigFile(bad).then(
      () => '',
      (error: Error) => error.message,
    )
    assert.match(message, /config file .*bad\.json: metricsListen must be HOST:PORT/)
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})

test.run()
