// Proves any byte string sent as a frame yields an error response or a close, never a crash, and the broker still serves afterwards.
import { ApiKeys, apiDefinitions, encodeBody } from '@weir/protocol'
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { assertHealthy, memoryLogger, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

const maxFrameBytes = 64 * 1024
const logs = memoryLogger('warn')
let broker: Broker

test.before(async () => {
  broker = await startBroker({ logger: logs.logger, limits: { maxFrameBytes } })
})

test.after(async () => {
  await broker.close()
  removeTempDirectories()
})

/** Sends `bytes` after a request header, then a sentinel request; resolves with what came back. */
async function sendFrame(
  apiKey: number,
  apiVersion: number,
  bytes: Uint8Array,
): Promise<'response' | 'closed'> {
  const client = await WireClient.connect(broker.address.port)
  try {
    const answered = client.send(apiKey, apiVersion, bytes).then(
      (body) => {
        assert.type(body.errorCode === undefined ? 0 : body.errorCode, 'number')
        return 'response' as const
      },
      () => 'closed' as const,
    )
    return await answered
  } finally {
    await client.close()
  }
}

test('random bodies under every API key and version get a response', async () => {
  const apiKeys = [...apiDefinitions.map((api) => api.apiKey), 999]
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...apiKeys),
      fc.constantFrom(0, 1),
      fc.uint8Array({ maxLength: 512 }),
      async (apiKey, apiVersion, body) => {
        const outcome = await sendFrame(apiKey, apiVersion, body)
        assert.is(outcome, 'response')
      },
    ),
    { numRuns: 150 },
  )
  await assertHealthy(broker.address.port, 'random bodies')
})

test('random msgpack values under every API get a response', async () => {
  const value = fc.anything({
    maxDepth: 3,
    withBigInt: false,
    withMap: false,
    withSet: false,
    withTypedArray: true,
  })
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...apiDefinitions.map((api) => api.apiKey)),
      value,
      async (apiKey, body) => {
        let bytes: Buffer
        try {
          bytes = encodeBody(body)
        } catch {
          return
        }
        assert.is(await sendFrame(apiKey, 0, bytes), 'response')
      },
    ),
    { numRuns: 150 },
  )
  await assertHealthy(broker.address.port, 'random msgpack')
})

test('any raw byte string on a fresh connection yields responses or a close, never a crash', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
      const client = await WireClient.connect(broker.address.port)
      client.writeRaw(bytes)
      // A Produce with an empty topic list is the sentinel: answered unless the stream was unframed.
      const sentinel = client.send(ApiKeys.Produce, 0, encodeBody({ acks: 1, timeoutMs: 100, topics: [] }))
      await sentinel.catch(() => undefined)
      await client.close()
    }),
    { numRuns: 150 },
  )
  await assertHealthy(broker.address.port, 'raw bytes')
  assert.equal(
    logs.lines().filter((line) => Number(line.level) >= 50),
    [],
    'nothing reached the error log',
  )
})

test.run()
