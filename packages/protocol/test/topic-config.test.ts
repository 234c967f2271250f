// Proves topic config is type-checked with errors that name the key, and `k=v` flags parse to typed values.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkTopicConfig, parseTopicConfigEntries } from '../src/topic-config.js'
import { isWeirError } from '../src/weir-error.js'

function invalid(run: () => unknown, pattern: RegExp): void {
  try {
    run()
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
    assert.match((error as Error).message, pattern)
  }
}

test('k=v entries parse numbers and fsync words', () => {
  assert.equal(parseTopicConfigEntries(['retentionMs=86400000', 'fsync=never', 'retentionBytes=-1']), {
    retentionMs: 86_400_000,
    fsync: 'never',
    retentionBytes: -1,
  })
  assert.equal(parseTopicConfigEntries(['fsync=100']), { fsync: 100 })
})

test('bad keys and values name what is wrong', () => {
  invalid(() => parseTopicConfigEntries(['retention=5']), /--config\.retention is not a topic config/)
  invalid(() => parseTopicConfigEntries(['retentionMs']), /expected key=value/)
  invalid(() => parseTopicConfigEntries(['segmentBytes=big']), /segmentBytes must be an integer/)
  invalid(() => checkTopicConfig({ fsync: 'sometimes' }), /fsync must be 'always', 'never' or an integer/)
  invalid(() => checkTopicConfig([1]), /config must be a map/)
  assert.equal(checkTopicConfig(undefined), {})
})

test.run()
