// Proves ioredis is optional: it loads on demand, and when it is absent the error is MISSING_DEPENDENCY telling the user to `pnpm add ioredis`.
import { isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { importIoredis } from '../../src/offsets/load-ioredis.js'
import { RedisOffsetStore } from '../../src/offsets/redis-offset-store.js'

test('a missing ioredis is MISSING_DEPENDENCY naming the install command', async () => {
  const missing = Object.assign(new Error("Cannot find package 'ioredis'"), { code: 'ERR_MODULE_NOT_FOUND' })
  try {
    await importIoredis(() => Promise.reject(missing))
    assert.unreachable('loaded a missing package')
  } catch (error) {
    assert.ok(isWeirError(error, 'MISSING_DEPENDENCY'), String(error))
    assert.match((error as Error).message, 'pnpm add ioredis')
    assert.is((error as Error).cause, missing)
    assert.is((error as { retriable: boolean }).retriable, false)
  }
})

test('any other load failure is passed on unchanged', async () => {
  const broken = new SyntaxError('bad module')
  try {
    await importIoredis(() => Promise.reject(broken))
    assert.unreachable()
  } catch (error) {
    assert.is(error, broken)
  }
})

test('installed (a devDependency here), ioredis loads on demand and connect() builds a store that close() ends', async () => {
  const module = await importIoredis()
  assert.type(module.Redis, 'function')
  // lazyConnect: no socket is opened until a command, so this needs no Redis server.
  const store = await RedisOffsetStore.connect('redis://127.0.0.1:1', { prefix: 'p:' })
  assert.is(store.keyOf('g'), 'p:g')
  await store.close()
})

test.run()
