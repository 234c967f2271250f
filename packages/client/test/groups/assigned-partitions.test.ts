// Proves `weir groups describe` reads a member's assignment by its group's protocol type: Weir's
// msgpack for 'consumer', Kafka's ConsumerProtocol for 'kafka:consumer', nothing for opaque types
// or bytes that are not an assignment.
import { encodeConsumerAssignment, Kafka } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assignedPartitions } from '../../src/groups/assigned-partitions.js'

const kafkaBytes = Kafka.encodeConsumerProtocolAssignment({
  version: 1,
  partitions: [
    { topic: 'orders', partitions: [4, 0, 2] },
    { topic: 'audit', partitions: [1] },
  ],
  userData: null,
})
const weirBytes = encodeConsumerAssignment({ partitions: new Map([['orders', [1, 3]]]) })

test("a Kafka consumer's assignment is read with Kafka's codec", () => {
  assert.equal(assignedPartitions('kafka:consumer', kafkaBytes), [
    { topic: 'orders', partition: 0 },
    { topic: 'orders', partition: 2 },
    { topic: 'orders', partition: 4 },
    { topic: 'audit', partition: 1 },
  ])
})

test("a Weir consumer's assignment is read with Weir's codec", () => {
  assert.equal(assignedPartitions('consumer', weirBytes), [
    { topic: 'orders', partition: 1 },
    { topic: 'orders', partition: 3 },
  ])
})

test('the other codec, an opaque type or empty bytes name no partitions, without throwing', () => {
  assert.equal(assignedPartitions('consumer', kafkaBytes), [])
  assert.equal(assignedPartitions('kafka:consumer', weirBytes), [])
  assert.equal(assignedPartitions('connect', kafkaBytes), [])
  assert.equal(assignedPartitions('kafka:consumer', Buffer.alloc(0)), [])
})

test.run()
