// Proves the Kafka Metadata answer's controllerId always names a listed broker (KafkaJS's idempotent
// producer and admin give up, without retrying, on a controller id missing from the brokers).
import type { MetadataResponse } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { kafkaMetadata } from '../../src/kafka/handlers/metadata.js'

const native = (controllerId: number): MetadataResponse => ({
  brokers: [1, 2, 3].map((id) => ({ id, host: '127.0.0.1', port: 7000 + id })),
  controllerId,
  topics: [],
})
const kafkaAddress = (id: number) => ({ host: '127.0.0.1', port: 9000 + id })

test('a controller whose Kafka address is known is named as it is', () => {
  const addresses = new Map([1, 2, 3].map((id) => [id, kafkaAddress(id)]))
  assert.is(kafkaMetadata(native(2), addresses, 1).controllerId, 2)
})

test('a controller not heard from yet (just restarted) is replaced by the answering broker', () => {
  const addresses = new Map([1, 3].map((id) => [id, kafkaAddress(id)]))
  const answer = kafkaMetadata(native(2), addresses, 1)
  assert.is(answer.controllerId, 1)
  assert.ok(answer.brokers.some((broker) => broker.nodeId === answer.controllerId))
})

test('no controller elected: the answering broker, never -1', () => {
  const addresses = new Map([[3, kafkaAddress(3)]])
  assert.is(kafkaMetadata(native(-1), addresses, 3).controllerId, 3)
})

test.run()
