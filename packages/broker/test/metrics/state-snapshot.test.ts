// Proves the scrape-time rules: lag is high watermark minus committed (never negative, only where a replica is hosted), under-replicated counts led partitions only.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ReplicaFigures, takeSnapshot } from '../../src/metrics/state-snapshot.js'

function replica(topic: string, partition: number, fields: Partial<ReplicaFigures> = {}): ReplicaFigures {
  return {
    topic,
    partition,
    logStartOffset: 0,
    logEndOffset: 10,
    highWatermark: 10,
    sizeBytes: 100,
    raftRole: 'leader',
    term: 1,
    commitIndex: 10,
    isLeader: true,
    replicaCount: 3,
    inSyncCount: 3,
    ...fields,
  }
}

test('lag is the high watermark (not the log end) minus the committed offset, floored at 0', () => {
  const snapshot = takeSnapshot({
    replicas: [replica('orders', 0, { logEndOffset: 12, highWatermark: 10 }), replica('orders', 1)],
    committedOffsets: [
      { group: 'billing', topic: 'orders', partition: 0, offset: 4 },
      { group: 'billing', topic: 'orders', partition: 1, offset: 11 },
      { group: 'billing', topic: 'elsewhere', partition: 0, offset: 3 },
    ],
  })
  assert.equal(
    snapshot.groupLags.map(({ partition, lag, committedOffset }) => [partition, committedOffset, lag]),
    [
      [0, 4, 6],
      [1, 11, 0],
    ],
    'a partition not hosted here has no end to measure against: left out',
  )
})

test('under-replicated counts partitions led here with fewer in-sync replicas than replicas', () => {
  const snapshot = takeSnapshot({
    replicas: [
      replica('a', 0, { inSyncCount: 2 }),
      replica('a', 1),
      replica('a', 2, { isLeader: false, raftRole: 'follower', inSyncCount: 0 }),
    ],
    committedOffsets: [],
  })
  assert.is(snapshot.underReplicated, 1)
  assert.is(snapshot.ledPartitions, 2)
})

test.run()
