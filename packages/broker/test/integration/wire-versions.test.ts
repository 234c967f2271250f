// Proves Produce and Fetch v0 (msgpack bin) and v1 (records as raw trailing segments) interoperate on one broker: whatever version wrote a batch, every version reads the same bytes back, and the broker lists both versions.
import { Acks, ApiKeys, ApiVersions, BatchField, Fetch, Produce, segmentBytesMin } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { batchOf, createTopic, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

let broker: Broker
let client: WireClient

test.before(async () => {
  broker = await startBroker()
  client = await WireClient.connect(broker.address.port)
  await createTopic(client, 'versions', 1)
})

test.after(async () => {
  await client.close()
  await broker.close()
  removeTempDirectories()
})

function batch(tag: string): Buffer {
  // Values larger than segmentBytesMin, so v1 carries the records as segments, not inline.
  return batchOf(
    Array.from({ length: 4 }, (_, index) => ({
      key: null,
      value: Buffer.alloc(segmentBytesMin, `${tag}${index}`),
    })),
  )
}

async function produceIn(version: number, records: Buffer): Promise<number> {
  const response = await client.callVersion(Produce, version, {
    acks: Acks.all,
    timeoutMs: 10_000,
    topics: [{ name: 'versions', partitions: [{ partition: 0, records }] }],
  })
  const result = response.topics[0]!.partitions[0]!
  assert.is(result.errorCode, 0, result.errorMessage)
  return result.baseOffset
}

async function fetchIn(version: number): Promise<Buffer> {
  const response = await client.callVersion(Fetch, version, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    topics: [{ name: 'versions', partitions: [{ partition: 0, fetchOffset: 0, maxBytes: 1 << 20 }] }],
  })
  const result = response.topics[0]!.partitions[0]!
  assert.is(result.errorCode, 0, result.errorMessage)
  return result.records
}

test('the broker lists Fetch and Produce versions 0 to 1', async () => {
  const { apis } = await client.call(ApiVersions, {})
  for (const apiKey of [ApiKeys.Fetch, ApiKeys.Produce]) {
    const range = apis.find((api) => api.apiKey === apiKey)
    assert.equal([range?.versionMin, range?.versionMax], [0, 1])
  }
})

test('batches produced in v0 and v1 come back byte for byte in v0 and v1', async () => {
  const first = batch('a')
  const second = batch('b')
  assert.is(await produceIn(0, first), 0)
  assert.is(await produceIn(1, second), 4)
  const inV0 = await fetchIn(0)
  const inV1 = await fetchIn(1)
  assert.ok(inV1.equals(inV0), 'both versions serve the same bytes')
  assert.is(inV1.length, first.length + second.length)
  // The broker patched base offsets in place; the records after the header are what was sent.
  assert.ok(inV1.subarray(first.length + BatchField.records).equals(second.subarray(BatchField.records)))
})

test.run()
