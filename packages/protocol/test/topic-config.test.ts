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

test("Kafka's dotted names map to the camelCase keys, from flags and from maps", () => {
  assert.equal(
    parseTopicConfigEntries([
      'cleanup.policy=compact',
      'retention.ms=1000',
      'retention.bytes=2048',
      'segment.bytes=4096',
      'segment.ms=60000',
      'delete.retention.ms=5000',
      'max.message.bytes=1024',
    ]),
    {
      cleanupPolicy: 'compact',
      retentionMs: 1000,
      retentionBytes: 2048,
      segmentBytes: 4096,
      segmentMs: 60000,
      deleteRetentionMs: 5000,
      maxMessageBytes: 1024,
    },
  )
  assert.equal(checkTopicConfig({ 'cleanup.policy': 'delete,compact' }), { cleanupPolicy: 'compact,delete' })
  assert.equal(checkTopicConfig({ cleanupPolicy: 'compact,delete' }), { cleanupPolicy: 'compact,delete' })
})

test('a cleanup policy other than delete, compact or both is refused, naming the key as given', () => {
  invalid(
    () => parseTopicConfigEntries(['cleanup.policy=shred']),
    /--config\.cleanup\.policy must be one of 'delete', 'compact', 'compact,delete', got "shred"/,
  )
  invalid(() => checkTopicConfig({ cleanupPolicy: 3 }), /config\.cleanupPolicy must be one of/)
  invalid(
    () => checkTopicConfig({ 'retention.hours': 3 }),
    /retention\.hours is not a topic config; known: .*cleanup\.policy/,
  )
})

test.run()
