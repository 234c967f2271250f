// Proves admin's topic offsets: fetchTopicOffsets asks each partition's leader for the log start and end, fetchTopicOffsetsByTimestamp passes the time through, results come sorted by partition, and a bad time is INVALID_CONFIG before any request.
import {
  ListOffsets,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
  OffsetSpec,
  WeirError,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fetchTopicOffsets, fetchTopicOffsetsByTimestamp } from '../src/topic-offsets.js'
import { clusterWith, singleBrokerTopic } from './support/fake-cluster.js'

// Partition p holds offsets 10p .. 10p+9; a timestamp T (ms) maps to offset 10p + T/1000.
function fakeLeader(asked: ListOffsetsRequest[]) {
  return {
    async request(api: unknown, body: ListOffsetsRequest): Promise<ListOffsetsResponse> {
      assert.is(api, ListOffsets)
      asked.push(body)
      return {
        topics: body.topics.map((topic) => ({
          name: topic.name,
          partitions: [...topic.partitions].reverse().map(({ partition, timestamp }) => ({
            partition,
            errorCode: 0,
            offset:
              timestamp === OffsetSpec.earliest
                ? 10 * partition
                : timestamp === OffsetSpec.latest
                  ? 10 * partition + 10
                  : 10 * partition + timestamp / 1000,
            timestamp: -1,
          })),
        })),
      }
    },
  }
}

test('log start and end per partition, sorted', async () => {
  const asked: ListOffsetsRequest[] = []
  const cluster = clusterWith({ metadata: singleBrokerTopic('orders', 3), connection: fakeLeader(asked) })
  assert.equal(await fetchTopicOffsets(cluster, 'orders'), [
    { partition: 0, low: 0, high: 10 },
    { partition: 1, low: 10, high: 20 },
    { partition: 2, low: 20, high: 30 },
  ])
  assert.equal(
    asked.map((request) => request.topics[0]!.partitions[0]!.timestamp).sort(),
    [OffsetSpec.earliest, OffsetSpec.latest].sort(),
  )
})

test('offsets by timestamp ask with that time', async () => {
  const asked: ListOffsetsRequest[] = []
  const cluster = clusterWith({ metadata: singleBrokerTopic('orders', 2), connection: fakeLeader(asked) })
  assert.equal(await fetchTopicOffsetsByTimestamp(cluster, 'orders', 3000), [
    { partition: 0, offset: 3 },
    { partition: 1, offset: 13 },
  ])
  assert.equal(asked[0]!.topics[0]!.partitions, [
    { partition: 0, timestamp: 3000 },
    { partition: 1, timestamp: 3000 },
  ])
})

test('a negative or fractional time is INVALID_CONFIG and sends nothing', async () => {
  const asked: ListOffsetsRequest[] = []
  const cluster = clusterWith({ metadata: singleBrokerTopic('orders', 2), connection: fakeLeader(asked) })
  for (const bad of [-1, 1.5, Number.NaN]) {
    try {
      await fetchTopicOffsetsByTimestamp(cluster, 'orders', bad)
      assert.unreachable(`${bad} was accepted`)
    } catch (error) {
      assert.ok(error instanceof WeirError && error.code === 'INVALID_CONFIG', String(error))
    }
  }
  assert.is(asked.length, 0)
})

test.run()
