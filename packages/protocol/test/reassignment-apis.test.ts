// Proves the reassignment APIs (keys 20, 21) survive encode → decode, that a bad replica list or progress is INVALID_REQUEST naming the field, and that leader news carries progress.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  AlterPartitionReassignments,
  ApiKeys,
  apiByKey,
  ListPartitionReassignments,
  RaftMessages,
} from '../src/apis/index.js'
import { rejects, roundTrip } from './api-test-support.js'

const moving = {
  topic: 'orders',
  partition: 2,
  replicas: [1, 2, 3],
  target: [1, 2, 4],
  adding: [4],
  removing: [3],
  leader: 1,
  progress: [{ broker: 4, caughtUpPercent: 42, offsetsBehind: 1200 }],
  throttleBytesPerSec: 1_000_000,
}

test('reassignment APIs use keys 20 and 21 and are found by key', () => {
  assert.is(ApiKeys.AlterPartitionReassignments, 20)
  assert.is(apiByKey(20)?.name, 'AlterPartitionReassignments')
  assert.is(apiByKey(21)?.name, 'ListPartitionReassignments')
})

test('AlterPartitionReassignments and ListPartitionReassignments round trip', () => {
  roundTrip(
    AlterPartitionReassignments,
    { reassignments: [{ topic: 'orders', partition: 2, replicas: [1, 2, 4] }], throttleBytesPerSec: 500 },
    { errorCode: 0, results: [{ topic: 'orders', partition: 2, errorCode: 56, errorMessage: 'no' }] },
  )
  roundTrip(AlterPartitionReassignments, { reassignments: [] }, { errorCode: 0, results: [] })
  roundTrip(ListPartitionReassignments, { topics: ['orders'] }, { errorCode: 0, reassignments: [moving] })
  roundTrip(ListPartitionReassignments, {}, { errorCode: 0, reassignments: [] })
})

test('a throttle of 0 means none', () => {
  const request = AlterPartitionReassignments.decodeRequest({ reassignments: [], throttleBytesPerSec: 0 })
  assert.equal(request, { reassignments: [] })
})

test('bad fields are named', () => {
  rejects(
    () =>
      AlterPartitionReassignments.decodeRequest({
        reassignments: [{ topic: 'a', partition: 0, replicas: [-1] }],
      }),
    /reassignments\[0\]\.replicas\[0\]/,
  )
  rejects(
    () =>
      AlterPartitionReassignments.decodeRequest({
        reassignments: [{ topic: 'a', partition: -1, replicas: [] }],
      }),
    /reassignments\[0\]\.partition/,
  )
  rejects(
    () =>
      ListPartitionReassignments.decodeResponse({
        reassignments: [{ ...moving, progress: [{ broker: 4, caughtUpPercent: 101, offsetsBehind: 0 }] }],
      }),
    /progress\[0\]\.caughtUpPercent/,
  )
})

test('leader news carries reassignment progress', () => {
  const news = {
    group: 'orders-2',
    incarnation: 'x',
    leaderId: 1,
    term: 3,
    progress: [{ broker: 4, caughtUpPercent: 10, offsetsBehind: 5 }],
  }
  roundTrip(RaftMessages, { from: 1, messages: [], leaders: [news] }, { errorCode: 0 })
})

test.run()
