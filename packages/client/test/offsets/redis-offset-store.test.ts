// Proves RedisOffsetStore against ioredis-mock: commits land in one hash per group under the prefix, fetch returns only committed partitions, later commits win, groups and prefixes do not mix, and a corrupt value is a typed error.
import { isWeirError } from '@weir/protocol'
import RedisMock from 'ioredis-mock'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RedisOffsetStore } from '../../src/offsets/redis-offset-store.js'

function newRedis() {
  return new RedisMock()
}

test('commit then fetch; uncommitted partitions are absent; later commits win', async () => {
  const redis = newRedis()
  const store = new RedisOffsetStore(redis, { prefix: 'app:' })
  await store.commit(
    'billing',
    [
      { topic: 'orders', partition: 0, offset: 10 },
      { topic: 'orders', partition: 2, offset: 7 },
      { topic: 'audit', partition: 0, offset: 1 },
    ],
    undefined,
  )
  await store.commit('billing', [{ topic: 'orders', partition: 0, offset: 12 }], {
    groupId: 'billing',
    memberId: 'm1',
    generationId: 3,
  })
  const fetched = await store.fetch('billing', [
    { topic: 'orders', partitions: [0, 1, 2] },
    { topic: 'audit', partitions: [0] },
  ])
  assert.equal(
    [...fetched].map(([topic, partitions]) => [topic, [...partitions]]),
    [
      [
        'orders',
        [
          [0, 12],
          [2, 7],
        ],
      ],
      ['audit', [[0, 1]]],
    ],
  )
  assert.equal(await redis.hgetall('app:billing'), { 'orders:0': '12', 'orders:2': '7', 'audit:0': '1' })
})

test('groups and prefixes are separate; default prefix', async () => {
  const redis = newRedis()
  const one = new RedisOffsetStore(redis)
  const other = new RedisOffsetStore(redis, { prefix: 'other:' })
  assert.is(one.keyOf('g'), 'weir:offsets:g')
  await one.commit('g', [{ topic: 't', partition: 0, offset: 5 }], undefined)
  assert.is((await one.fetch('h', [{ topic: 't', partitions: [0] }])).size, 0)
  assert.is((await other.fetch('g', [{ topic: 't', partitions: [0] }])).size, 0)
  assert.is((await one.fetch('g', [{ topic: 't', partitions: [0] }])).get('t')?.get(0), 5)
})

test('a value that is not an offset is a typed error; a negative offset is a programmer error', async () => {
  const redis = newRedis()
  const store = new RedisOffsetStore(redis, { prefix: 'x:' })
  await redis.hset('x:g', 't:0', 'banana')
  try {
    await store.fetch('g', [{ topic: 't', partitions: [0] }])
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_REQUEST'), String(error))
  }
  try {
    await store.commit('g', [{ topic: 't', partition: 0, offset: -1 }], undefined)
    assert.unreachable()
  } catch (error) {
    assert.instance(error, RangeError)
  }
})

test.run()
