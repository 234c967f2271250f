// Proves the connection limits hold: maxConnections, idle timeout, and reading pauses for a client that does not read its responses.
import { Fetch, Produce } from '@weir/protocol'
import { quietPeriod } from '@weir/protocol/testing'
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

test('one connection past maxConnections is logged and closed; the others keep working', async () => {
  const logs = memoryLogger('warn')
  const broker = await startBroker({ logger: logs.logger, limits: { maxConnections: 2 } })
  const first = await WireClient.connect(broker.address.port)
  const second = await WireClient.connect(broker.address.port)
  await first.call(Fetch, { maxWaitMs: 0, minBytes: 0, maxBytes: 1, topics: [] })
  await second.call(Fetch, { maxWaitMs: 0, minBytes: 0, maxBytes: 1, topics: [] })
  const third = await WireClient.connect(broker.address.port)
  await third.closed
  assert.ok(logs.lines().some((line) => /maxConnections/.test(String(line.msg))))
  await first.call(Fetch, { maxWaitMs: 0, minBytes: 0, maxBytes: 1, topics: [] })
  await Promise.all([first.close(), second.close()])
  await broker.close()
})

test('an idle connection is closed after idleTimeoutMs; a long-polling one is not', async () => {
  const broker = await startBroker({ limits: { idleTimeoutMs: 150 } })
  const idle = await WireClient.connect(broker.address.port)
  const polling = await WireClient.connect(broker.address.port)
  await createTopic(polling, 'slow', 1)
  const waiting = fetchOnce(polling, 'slow', 0, 0, { maxWaitMs: 600, minBytes: 1 })
  await idle.closed
  const result = await waiting
  assert.is(result.errorCode, 0, 'the fetch outlived the idle timeout')
  await polling.close()
  await broker.close()
})

test('a client that stops reading responses stops being read; it resumes when the client reads again', async () => {
  const broker = await startBroker({ limits: { writeBufferBytesHigh: 1024, maxInFlightRequests: 8 } })
  const admin = await WireClient.connect(broker.address.port)
  await createTopic(admin, 'big', 1)
  await createTopic(admin, 'marker', 1)
  await produce(admin, 'big', 0, batchOf([{ key: null, value: Buffer.alloc(256 * 1024, 7) }]))
  const slow = await WireClient.connect(broker.address.port)
  slow.socket.pause()
  // 64 fetches of 256 KiB each (16 MiB of responses) cannot all fit in socket buffers.
  const fetches = Array.from({ length: 64 }, () => fetchOnce(slow, 'big', 0, 0, { maxBytes: 1 << 20 }))
  const marker = slow.call(Produce, {
    acks: 1,
    timeoutMs: 5000,
    topics: [
      {
        name: 'marker',
        partitions: [{ partition: 0, records: batchOf([{ key: null, value: Buffer.from('m') }]) }],
      },
    ],
  })
  // Nothing to await: the check is that the marker does NOT land while responses back up, so the
  // broker gets a short window to (wrongly) read on.
  await quietPeriod(400)
  const before = await fetchOnce(admin, 'marker', 0, 0)
  assert.is(before.highWatermark, 0, 'the broker paused reading the slow client')
  slow.socket.resume()
  const results = await Promise.all(fetches)
  assert.ok(results.every((result) => result.records.length > 256 * 1024))
  assert.is((await marker).topics[0]!.partitions[0]!.errorCode, 0)
  assert.is((await fetchOnce(admin, 'marker', 0, 0)).highWatermark, 1)
  await Promise.all([slow.close(), admin.close()])
  await broker.close()
})

test.run()
