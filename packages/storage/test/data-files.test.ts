// Proves every file storage reads back from a data directory (weir-data.json, topic.json, weir-log.json) is checked: a damaged or foreign one is a typed error naming the file and the fix, never a TypeError.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type ErrorName, isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkDataMarker } from '../src/data-marker.js'
import { TopicStore } from '../src/index.js'
import { parseTopicMetadata } from '../src/topic-metadata-file.js'
import { removeTempDirectories, tempDirectory } from './helpers.js'

function throwsTyped(run: () => unknown, code: ErrorName, pattern: RegExp): void {
  try {
    run()
  } catch (error) {
    assert.ok(isWeirError(error, code), `expected ${code}, got ${String(error)}`)
    assert.match((error as Error).message, pattern)
    return
  }
  assert.unreachable(`expected ${code}`)
}

async function rejectsTyped(work: Promise<unknown>, code: ErrorName, pattern: RegExp): Promise<void> {
  try {
    await work
  } catch (error) {
    assert.ok(isWeirError(error, code), `expected ${code}, got ${String(error)}`)
    assert.match((error as Error).message, pattern)
    return
  }
  assert.unreachable(`expected ${code}`)
}

test.after(() => removeTempDirectories())

test('weir-data.json: anything but the marker is refused naming the file', () => {
  const path = '/d/weir-data.json'
  checkDataMarker(path, Buffer.from('{"format":"weir-data","version":1}\n'))
  for (const text of [
    '',
    'null',
    '[]',
    '7',
    '{"format":"weir-data"}',
    '{"format":"x","version":1}',
    '{"format":"weir-data","version":1e400}',
    '{"format":"weir-data","version":"1"}',
  ]) {
    throwsTyped(
      () => checkDataMarker(path, Buffer.from(text)),
      'NOT_A_WEIR_LOG',
      /\/d\/weir-data\.json .*--data-dir/,
    )
  }
  throwsTyped(
    () => checkDataMarker(path, Buffer.from('{"format":"weir-data","version":2}')),
    'UNSUPPORTED_VERSION',
    /version 2; this build reads version 1/,
  )
})

test('topic.json: name, partitions and config are checked, with the file and the field named', () => {
  const path = '/d/orders/topic.json'
  const parse = (text: string) => () => parseTopicMetadata(path, 'orders', Buffer.from(text))
  assert.equal(parse('{"name":"orders","partitions":3,"config":{"fsync":"never"}}')(), {
    name: 'orders',
    partitions: 3,
    config: { fsync: 'never' },
  })
  throwsTyped(parse('null'), 'NOT_A_WEIR_LOG', /topic\.json is not a JSON object/)
  throwsTyped(parse('{"name":"payments","partitions":1}'), 'NOT_A_WEIR_LOG', /names topic "payments"/)
  throwsTyped(
    parse('{"name":"orders","partitions":1e300}'),
    'NOT_A_WEIR_LOG',
    /partitions 1e\+300, not an integer from 1 to 10000/,
  )
  throwsTyped(
    parse('{"name":"orders","partitions":100000000000000000000}'),
    'NOT_A_WEIR_LOG',
    /from 1 to 10000/,
  )
  throwsTyped(parse('{"name":"orders","partitions":"3"}'), 'NOT_A_WEIR_LOG', /partitions "3"/)
  throwsTyped(
    parse('{"name":"orders","partitions":1,"config":[]}'),
    'INVALID_CONFIG',
    /topic\.json: config is not a JSON object/,
  )
  throwsTyped(
    parse('{"name":"orders","partitions":1,"config":{"colour":1}}'),
    'INVALID_CONFIG',
    /config\.colour is not a log config key/,
  )
  throwsTyped(
    parse('{"name":"orders","partitions":1,"config":{"retentionMs":100000000000000000000}}'),
    'INVALID_CONFIG',
    /topic\.json: config: retentionMs must be an integer from 1 to 9007199254740991/,
  )
})

test('opening a data directory checks its marker, its topics and their logs', async () => {
  const directory = tempDirectory()
  const store = await TopicStore.open(directory)
  await store.createTopic('orders', 1)
  await store.close()
  writeFileSync(join(directory, 'weir-data.json'), '{"format":"weir-data","version":"one"}')
  await rejectsTyped(TopicStore.open(directory), 'NOT_A_WEIR_LOG', /weir-data\.json has version "one"/)
  writeFileSync(join(directory, 'weir-data.json'), '{"format":"weir-data","version":1}')
  writeFileSync(join(directory, 'orders', 'topic.json'), '{"name":"orders","partitions":-2}')
  await rejectsTyped(TopicStore.open(directory), 'NOT_A_WEIR_LOG', /orders\/topic\.json has partitions -2/)
  writeFileSync(join(directory, 'orders', 'topic.json'), '{"name":"orders","partitions":1}')
  writeFileSync(
    join(directory, 'orders', '0', 'weir-log.json'),
    '{"format":"weir-partition-log","version":1,"logStartOffset":-5}',
  )
  await rejectsTyped(TopicStore.open(directory), 'NOT_A_WEIR_LOG', /weir-log\.json does not describe/)
  writeFileSync(join(directory, 'orders', '0', 'weir-log.json'), 'null')
  await rejectsTyped(TopicStore.open(directory), 'NOT_A_WEIR_LOG', /weir-log\.json does not describe/)
  // A failed open leaves the directory unlocked: the fix can be followed by a plain restart.
  writeFileSync(
    join(directory, 'orders', '0', 'weir-log.json'),
    '{"format":"weir-partition-log","version":1,"logStartOffset":0}',
  )
  const reopened = await TopicStore.open(directory)
  assert.equal(reopened.topicNames(), ['orders'])
  await reopened.close()
})

test('a foreign directory is refused before anything (a lock file included) is written in it', async () => {
  const directory = tempDirectory()
  mkdirSync(join(directory, 'photos'))
  await rejectsTyped(
    TopicStore.open(directory),
    'NOT_A_WEIR_LOG',
    /is not empty \(photos\) and has no weir-data\.json/,
  )
  const { readdirSync } = await import('node:fs')
  assert.equal(readdirSync(directory), ['photos'])
})

test.run()
