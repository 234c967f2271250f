// Proves how the Kafka listener names group states and protocol types: Kafka's state names for
// every Weir state, a Kafka group's stored 'kafka:consumer' back as 'consumer', Weir's own
// 'consumer' groups as 'weir:consumer' (so Kafka tools never decode msgpack as ConsumerProtocol).
import { GroupStates } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { kafkaGroupProtocolType, kafkaGroupState } from '../../src/kafka/handlers/group-listing.js'

test("every Weir group state has Kafka's name", () => {
  assert.equal(Object.values(GroupStates).map(kafkaGroupState), [
    'Empty',
    'PreparingRebalance',
    'CompletingRebalance',
    'Stable',
    'Dead',
  ])
})

test('protocol types: kafka:consumer → consumer, consumer → weir:consumer, others as stored', () => {
  assert.is(kafkaGroupProtocolType('kafka:consumer'), 'consumer')
  assert.is(kafkaGroupProtocolType('consumer'), 'weir:consumer')
  assert.is(kafkaGroupProtocolType('connect'), 'connect')
  assert.is(kafkaGroupProtocolType(''), '')
})

test.run()
