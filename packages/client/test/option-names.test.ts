// Proves each deprecated `...Max` option name still works and that the new `max...` name wins when both are given.
import { isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Client, Producer } from '../src/index.js'
import { clusterWith, singleBrokerTopic } from './support/fake-cluster.js'

const brokers = ['127.0.0.1:1']

function rejectsNaming(make: () => unknown, name: string): void {
  assert.throws(
    make,
    (error: unknown) => isWeirError(error, 'INVALID_CONFIG') && (error as Error).message.includes(name),
  )
}

test('producer: an old name alone sets the limit, and the new name wins over it', () => {
  const cluster = clusterWith({ metadata: singleBrokerTopic('t', 1), connection: {} })
  const old = new Producer(cluster, {
    batchBytesMax: 2048,
    batchRecordsMax: 7,
    bufferBytesMax: 4096,
    queuedSendsMax: 9,
    requestBytesMax: 8192,
    retryBackoffMsMax: 300,
  })
  assert.equal(
    [
      old.options.maxBatchBytes,
      old.options.maxBatchRecords,
      old.options.maxBufferBytes,
      old.options.maxQueuedSends,
      old.options.maxRequestBytes,
      old.options.maxRetryBackoffMs,
    ],
    [2048, 7, 4096, 9, 8192, 300],
  )
  const both = new Producer(cluster, {
    batchBytesMax: 2048,
    maxBatchBytes: 4096,
    queuedSendsMax: 9,
    maxQueuedSends: 11,
  })
  assert.is(both.options.maxBatchBytes, 4096)
  assert.is(both.options.maxQueuedSends, 11)
})

test('producer: a bad value is reported under the name the caller wrote', () => {
  const cluster = clusterWith({ metadata: singleBrokerTopic('t', 1), connection: {} })
  rejectsNaming(() => new Producer(cluster, { batchBytesMax: 1 }), 'batchBytesMax')
  rejectsNaming(() => new Producer(cluster, { maxBatchBytes: 1 }), 'maxBatchBytes')
  // The new name wins, so a bad old value beside a good new one is never looked at.
  new Producer(cluster, { batchBytesMax: 1, maxBatchBytes: 2048 })
})

test('client and consumer: old names are accepted, checked under their own name, and lose to the new ones', async () => {
  rejectsNaming(() => new Client({ brokers, inFlightMax: 0 }), 'inFlightMax')
  rejectsNaming(() => new Client({ brokers, frameBytesMax: 1 }), 'frameBytesMax')
  rejectsNaming(() => new Client({ brokers, reconnectBackoffMsMax: 0 }), 'reconnectBackoffMsMax')
  rejectsNaming(() => new Client({ brokers, metadataMaxAgeMs: -1 }), 'metadataMaxAgeMs')
  rejectsNaming(() => new Client({ brokers, inFlightMax: 4, maxInFlight: 0 }), 'maxInFlight')
  const client = new Client({
    brokers,
    inFlightMax: 0,
    maxInFlight: 4,
    frameBytesMax: 1,
    maxFrameBytes: 16 << 20,
  })
  rejectsNaming(() => client.consumer({ topics: ['t'], prefetchBytesMax: 0 }), 'prefetchBytesMax')
  rejectsNaming(() => client.consumer({ topics: ['t'], partitionMaxBytes: 0 }), 'partitionMaxBytes')
  rejectsNaming(() => client.consumer({ topics: ['t'], retryBackoffMsMax: 0 }), 'retryBackoffMsMax')
  rejectsNaming(
    () => client.consumer({ topics: ['t'], prefetchBytesMax: 4096, maxPrefetchBytes: 0 }),
    'maxPrefetchBytes',
  )
  await client.close()
})

test.run()
