// Proves log configuration fills defaults and names the field and range of every bad value.
import { isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { defaultLogConfig, resolveLogConfig } from '../src/index.js'

test('defaults: 128 MiB segments, group commit, 4 KiB index interval', () => {
  const config = resolveLogConfig()
  assert.equal(config, defaultLogConfig)
  assert.is(config.segmentBytes, 128 * 1024 * 1024)
  assert.is(config.fsync, 'always')
})

test('a small segment lowers the default batch limit and index interval with it', () => {
  const config = resolveLogConfig({ segmentBytes: 2048 })
  assert.is(config.maxBatchBytes, 2048)
  assert.is(config.indexIntervalBytes, 2048)
})

test('each bad value is INVALID_CONFIG naming the field', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ segmentBytes: 10 }, /segmentBytes must be an integer from 1024/],
    [{ segmentBytes: 2 ** 31 }, /segmentBytes/],
    [{ retentionMs: 0 }, /retentionMs/],
    [{ retentionBytes: -2 }, /retentionBytes/],
    [{ fsync: 'sometimes' }, /fsync/],
    [{ fsync: 0 }, /fsync/],
    [{ segmentBytes: 4096, maxBatchBytes: 8192 }, /maxBatchBytes must be an integer from 61 to 4096/],
    [{ indexIntervalBytes: 0 }, /indexIntervalBytes/],
    [{ segmentMs: 1.5 }, /segmentMs/],
  ]
  for (const [overrides, pattern] of cases) {
    try {
      resolveLogConfig(overrides)
      assert.unreachable(JSON.stringify(overrides))
    } catch (error) {
      assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
      assert.match((error as Error).message, pattern)
    }
  }
})

test('undefined fields fall back to defaults', () => {
  assert.is(resolveLogConfig({ fsync: undefined }).fsync, 'always')
  assert.is(resolveLogConfig({ fsync: 250 }).fsync, 250)
})

test.run()
