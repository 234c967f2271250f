// Proves the resource bounds of issue 12 against a real broker over real sockets: the request byte budget, fetchMaxBytes and duplicate partitions, a client that does not read, maxConnectionsPerIp, frame-based timeouts against a slowloris trickle, maxTopics and maxPartitionsPerBroker, and rate-limited malformed-request warnings.
import { ApiKeys, CreatePartitions, CreateTopics, ErrorCodes, encodeBody, Fetch } from '@weir/protocol'
import { eventually, quietPeriod, withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  batchOf,
  createTopic,
  fetchOnce,
  memoryLogger,
  produce,
  removeTempDirectories,
  startBroker,
} from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

test.after(() => removeTempDirectories())

const kibibyte = 1024

function lengthPrefix(length: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(length)
  return bytes
}

const emptyFetch = { maxWaitMs: 0, minBytes: 0, maxBytes: 1, topics: [] }

test('queuedMaxRequestBytes: partial frames past the budget stop all reading; closing them frees it', async () => {
  const limits = { maxFrameBytes: 64 * kibibyte, queuedMaxRequestBytes: 100 * kibibyte }
  const broker = await startBroker({ limits })
  const probe = await WireClient.connect(broker.address.port)
  await probe.call(Fetch, emptyFetch)
  // Three frames declaring 60 KiB, each 40 KiB in: 120 KiB held, past the 100 KiB budget.
  const attackers = await Promise.all([0, 1, 2].map(() => WireClient.connect(broker.address.port)))
  for (const attacker of attackers)
    attacker.writeRaw(Buffer.concat([lengthPrefix(60 * kibibyte), Buffer.alloc(40 * kibibyte)]))
  await quietPeriod(200) // for the broker to read the partial frames (nothing to await on its side)
  let answered = 0
  const newcomer = await WireClient.connect(broker.address.port)
  const waiting = [probe, newcomer].map((client) => client.call(Fetch, emptyFetch).then(() => answered++))
  await quietPeriod(300)
  assert.is(answered, 0, 'no connection, old or new, is read while the budget is exceeded')
  await Promise.all(attackers.map((attacker) => attacker.close()))
  await withTimeout(Promise.all(waiting), 5000, 'both to be answered once the partial frames were dropped')
  await Promise.all([probe.close(), newcomer.close()])
  await broker.close()
})

test('fetchMaxBytes bounds one response whatever maxBytes says; a partition named twice is INVALID_REQUEST', async () => {
  const broker = await startBroker({ limits: { fetchMaxBytes: 64 * kibibyte } })
  const client = await WireClient.connect(broker.address.port)
  await createTopic(client, 'wide', 1)
  for (let index = 0; index < 8; index++)
    await produce(client, 'wide', 0, batchOf([{ key: null, value: Buffer.alloc(16 * kibibyte, index) }]))
  const partition = { partition: 0, fetchOffset: 0, maxBytes: 2 ** 31 - 1 }
  const one = await client.call(Fetch, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 2 ** 31 - 1,
    topics: [{ name: 'wide', partitions: [partition] }],
  })
  const bytes = one.topics[0]!.partitions[0]!.records.length
  assert.ok(bytes > 0 && bytes <= 64 * kibibyte, `${bytes} bytes within fetchMaxBytes`)
  const twice = await client.send(
    ApiKeys.Fetch,
    0,
    encodeBody({
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 2 ** 31 - 1,
      topics: [{ name: 'wide', partitions: Array.from({ length: 100 }, () => partition) }],
    }),
  )
  assert.is(twice.errorCode, ErrorCodes.INVALID_REQUEST.code)
  assert.match(String(twice.errorMessage), /wide\/0 more than once/)
  await client.close()
  await broker.close()
})

test('Fetches in flight for a client that does not read share maxWriteBufferBytes instead of each queuing a full response', async () => {
  const limits = { writeBufferBytesHigh: kibibyte, maxWriteBufferBytes: 1024 * kibibyte }
  const broker = await startBroker({ limits })
  const admin = await WireClient.connect(broker.address.port)
  await createTopic(admin, 'big', 1)
  for (let index = 0; index < 4; index++)
    await produce(admin, 'big', 0, batchOf([{ key: null, value: Buffer.alloc(256 * kibibyte, index) }]))
  const slow = await WireClient.connect(broker.address.port)
  slow.socket.pause()
  // 64 pipelined Fetches of 1 MiB each: 64 MiB of responses if each queued its own.
  const fetches = Array.from({ length: 64 }, () =>
    fetchOnce(slow, 'big', 0, 0, { maxBytes: 1024 * kibibyte }),
  )
  await quietPeriod(300)
  slow.socket.resume()
  const results = await withTimeout(Promise.all(fetches), 10_000, 'all 64 Fetch answers')
  assert.ok(results.every((result) => result.errorCode === 0))
  const total = results.reduce((sum, result) => sum + result.records.length, 0)
  assert.ok(total < 16 * 1024 * kibibyte, `${total} bytes answered, far below 64 MiB`)
  assert.ok(
    results.some((result) => result.records.length > 0),
    'some Fetches got records',
  )
  await Promise.all([slow.close(), admin.close()])
  await broker.close()
})

test('a client that leaves responses unread past writeBufferBytesHigh for writeStallTimeoutMs is disconnected', async () => {
  const logs = memoryLogger('warn')
  const limits = { writeBufferBytesHigh: kibibyte, writeStallTimeoutMs: 300 }
  const broker = await startBroker({ logger: logs.logger, limits })
  const admin = await WireClient.connect(broker.address.port)
  await createTopic(admin, 'big', 1)
  await produce(admin, 'big', 0, batchOf([{ key: null, value: Buffer.alloc(256 * kibibyte, 7) }]))
  const slow = await WireClient.connect(broker.address.port)
  slow.socket.pause()
  // 16 MiB of responses: more than the socket buffers of both ends hold.
  let answered = 0
  const fetches = Array.from({ length: 64 }, () =>
    fetchOnce(slow, 'big', 0, 0).then(
      () => answered++,
      () => undefined,
    ),
  )
  await eventually('the broker to close the client that does not read', () =>
    logs.lines().some((line) => /writeStallTimeoutMs/.test(String(line.msg))),
  )
  // A paused client notices the close only once it reads again.
  slow.socket.resume()
  await withTimeout(slow.closed, 5000, 'the client to see its connection closed')
  await Promise.all(fetches)
  assert.ok(answered < 64, `${answered} of 64 answered before the close`)
  assert.is((await fetchOnce(admin, 'big', 0, 0)).errorCode, 0, 'other clients carry on')
  await admin.close()
  await broker.close()
})

test('maxConnectionsPerIp: one more connection from the same address is logged and closed', async () => {
  const logs = memoryLogger('warn')
  const broker = await startBroker({ logger: logs.logger, limits: { maxConnectionsPerIp: 2 } })
  const first = await WireClient.connect(broker.address.port)
  const second = await WireClient.connect(broker.address.port)
  await Promise.all([first.call(Fetch, emptyFetch), second.call(Fetch, emptyFetch)])
  const third = await WireClient.connect(broker.address.port)
  await withTimeout(third.closed, 5000, 'the third connection from 127.0.0.1 to be closed')
  assert.ok(logs.lines().some((line) => /maxConnectionsPerIp/.test(String(line.msg))))
  await second.close()
  const again = await WireClient.connect(broker.address.port)
  await withTimeout(again.call(Fetch, emptyFetch), 5000, 'a connection once a slot freed')
  await Promise.all([first.close(), again.close()])
  await broker.close()
})

/** Writes one byte every `everyMs` until the socket closes; resolves with the bytes written. */
function trickle(client: WireClient, everyMs: number): Promise<number> {
  return new Promise((resolve) => {
    let written = 0
    const timer = setInterval(() => {
      if (client.socket.destroyed) return
      client.writeRaw(Buffer.from([0]))
      written++
    }, everyMs)
    void client.closed.then(() => {
      clearInterval(timer)
      resolve(written)
    })
  })
}

test('a connection that trickles bytes but never completes a frame is closed after firstFrameTimeoutMs', async () => {
  const broker = await startBroker({ limits: { firstFrameTimeoutMs: 300 } })
  const slowloris = await WireClient.connect(broker.address.port)
  slowloris.writeRaw(lengthPrefix(1000))
  const started = Date.now()
  const written = await withTimeout(trickle(slowloris, 20), 5000, 'the slowloris connection to be closed')
  assert.ok(written > 5, 'bytes kept arriving')
  assert.ok(Date.now() - started < 2000)
  await broker.close()
})

test('after a first request, a frame trickled in byte by byte is closed after frameTimeoutMs', async () => {
  const broker = await startBroker({ limits: { frameTimeoutMs: 300 } })
  const slowloris = await WireClient.connect(broker.address.port)
  await slowloris.call(Fetch, emptyFetch)
  slowloris.writeRaw(lengthPrefix(1000))
  const written = await withTimeout(trickle(slowloris, 20), 5000, 'the slowloris connection to be closed')
  assert.ok(written > 5 && written < 1000, `${written} bytes of a 1000-byte frame`)
  await broker.close()
})

test('maxTopics and maxPartitionsPerBroker: CreateTopics and CreatePartitions past them get POLICY_VIOLATION', async () => {
  // __consumer_offsets (one partition here) is a topic with replicas too.
  const broker = await startBroker({
    limits: { maxTopics: 3, maxPartitionsPerBroker: 6 },
    groups: { offsetsPartitions: 1 },
  })
  const client = await WireClient.connect(broker.address.port)
  await createTopic(client, 'a', 1)
  const create = async (name: string, partitions: number) =>
    (await client.call(CreateTopics, { topics: [{ name, partitions, replicationFactor: 1, config: {} }] }))
      .topics[0]!
  const tooMany = await create('b', 5)
  assert.is(tooMany.errorCode, ErrorCodes.POLICY_VIOLATION.code)
  assert.match(String(tooMany.errorMessage), /maxPartitionsPerBroker/)
  assert.is((await create('b', 4)).errorCode, 0)
  const third = await create('c', 1)
  assert.is(third.errorCode, ErrorCodes.POLICY_VIOLATION.code)
  assert.match(String(third.errorMessage), /maxTopics/)
  const grow = await client.call(CreatePartitions, { topics: [{ name: 'a', count: 2 }] })
  assert.is(grow.topics[0]!.errorCode, ErrorCodes.POLICY_VIOLATION.code)
  await client.close()
  await broker.close()
})

test('malformed-request warnings: one line per client address per interval, the next carrying the count held back', async () => {
  const logs = memoryLogger('warn')
  const broker = await startBroker({ logger: logs.logger, limits: { malformedWarningIntervalMs: 300 } })
  const client = await WireClient.connect(broker.address.port)
  const unknownApi = () => client.send(999, 0, encodeBody({}))
  await Promise.all(Array.from({ length: 50 }, unknownApi))
  const lines = () => logs.lines().filter((line) => /unknown API key/.test(String(line.msg)))
  assert.is(lines().length, 1)
  await quietPeriod(350)
  await unknownApi()
  assert.is(lines().length, 2)
  assert.is(lines()[1]!.suppressed, 49)
  await client.close()
  await broker.close()
})

test.run()
