// Proves RedisOffsetStore against a real redis-server (started on a free 127.0.0.1 port in a temp dir, no persistence): commits survive a new connection and fetch reads them back. Skipped, with how to install one, when redis-server is missing.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, RedisOffsetStore } from '@weir/client'
import { withTimeout } from '@weir/protocol/testing'
import { Redis } from 'ioredis'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { removeDataDirectories, startBroker } from './helpers.js'

const available = spawnSync('redis-server', ['--version']).status === 0
let server: ChildProcess | undefined
let port = 0
let directory = ''

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const address = probe.address()
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

test.before(async () => {
  if (!available) {
    console.log(
      'redis-server not found: skipping the RedisOffsetStore integration test. Install one with `apt-get install -y redis-server` (CI does so in .ci/run).',
    )
    return
  }
  directory = mkdtempSync(join(tmpdir(), 'weir-redis-'))
  port = await freePort()
  server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (/Ready to accept connections/.test(output)) resolve()
    }
    server!.stdout!.on('data', onData)
    server!.stderr!.on('data', onData)
    server!.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)))
  })
})

test.after(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve))
    server.kill('SIGTERM')
    await exited
  }
  if (directory !== '') rmSync(directory, { recursive: true, force: true })
})

// uvu counts a skipped test as skipped, not passed.
const redisTest = available ? test : test.skip

redisTest('commit, then fetch from a new connection', async () => {
  const writer = new Redis({ host: '127.0.0.1', port, lazyConnect: true })
  const reader = new Redis({ host: '127.0.0.1', port, lazyConnect: true })
  try {
    await writer.connect()
    await reader.connect()
    await new RedisOffsetStore(writer, { prefix: 'it:' }).commit(
      'billing',
      [
        { topic: 'orders', partition: 0, offset: 42 },
        { topic: 'orders', partition: 3, offset: 7 },
      ],
      undefined,
    )
    const fetched = await new RedisOffsetStore(reader, { prefix: 'it:' }).fetch('billing', [
      { topic: 'orders', partitions: [0, 1, 3] },
    ])
    assert.equal(
      [...fetched.get('orders')!],
      [
        [0, 42],
        [3, 7],
      ],
    )
    assert.equal(await reader.hgetall('it:billing'), { 'orders:0': '42', 'orders:3': '7' })
  } finally {
    writer.disconnect()
    reader.disconnect()
  }
})

redisTest('a group consumer commits to and resumes from Redis', async () => {
  const { broker, address } = await startBroker()
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true })
  await redis.connect()
  const client = new Client({ brokers: [address] })
  try {
    await client.admin().createTopic({ topic: 'redis-orders', partitions: 1 })
    const producer = client.producer()
    for (let index = 0; index < 10; index++)
      await producer.send({ topic: 'redis-orders', value: Buffer.from(String(index)) })
    const offsetStore = new RedisOffsetStore(redis, { prefix: 'e2e:' })
    const options = {
      groupId: 'redis-group',
      topics: ['redis-orders'],
      autoOffsetReset: 'earliest' as const,
      offsetStore,
      maxWaitMs: 100,
    }
    const first = client.consumer(options)
    const seen: number[] = []
    const reading = async () => {
      for await (const message of first) {
        seen.push(message.offset)
        if (seen.length === 6) break
      }
    }
    await withTimeout(reading(), 10_000, () => `6 messages for the first member (got ${seen.length})`)
    await first.close()
    assert.is(
      await redis.hget('e2e:redis-group', 'redis-orders:0'),
      '5',
      'the sixth message was left unfinished by break',
    )
    for (let index = 10; index < 12; index++)
      await producer.send({ topic: 'redis-orders', value: Buffer.from(String(index)) })
    const second = client.consumer(options)
    const rest: number[] = []
    const readingRest = async () => {
      for await (const message of second) {
        rest.push(message.offset)
        if (message.offset === 11) break
      }
    }
    await withTimeout(readingRest(), 10_000, () => `offsets 5..11 for the second member (got ${rest})`)
    await second.close()
    assert.equal(rest, [5, 6, 7, 8, 9, 10, 11])
  } finally {
    await client.close()
    redis.disconnect()
    await broker.close()
    removeDataDirectories()
  }
})

test.run()
