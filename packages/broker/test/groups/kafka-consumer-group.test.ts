// Proves the group state machine reads a 'kafka:consumer' group's subscriptions with Kafka's
// ConsumerProtocol codec (partition growth, unchanged static rejoins, restore, bad bytes refused),
// carries other types opaquely, and never mixes Weir and Kafka consumers in one group.
import { ErrorCodes, Kafka } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { GroupCoordinator } from '../../src/groups/group-coordinator.js'
import { Harness, sessionTimeoutMs } from './support.js'

const { REBALANCE_IN_PROGRESS, INVALID_REQUEST, INCONSISTENT_GROUP_PROTOCOL } = ErrorCodes

function kafkaSubscription(
  topics: string[],
  owned: Kafka.KafkaTopicPartitions[] = [],
  generationId = -1,
): Buffer {
  return Kafka.encodeConsumerProtocolSubscription({
    version: 2,
    topics,
    userData: null,
    ownedPartitions: owned,
    generationId,
    rackId: null,
  })
}

const kafkaJoin = (metadata = kafkaSubscription(['orders'])) => ({
  protocolType: Kafka.kafkaConsumerProtocolType,
  protocols: [{ name: 'roundrobin', metadata }],
})

test('a Kafka group whose subscribed topic gains partitions rebalances; an unrelated topic does not', () => {
  const h = new Harness()
  const member = h.startStable(0, kafkaJoin())
  assert.equal(h.coordinator.partitionsGrew('payments', 5), [])
  assert.equal(h.coordinator.partitionsGrew('orders', 5), ['g'])
  assert.is(h.heartbeat(6, member, 1), REBALANCE_IN_PROGRESS.code)
})

test('a static Kafka member restarting with new owned partitions and generation causes no rebalance', () => {
  const h = new Harness()
  h.startStable(0, { ...kafkaJoin(), groupInstanceId: 'pod-1' })
  const rejoin = h.joinAnswer(
    h.join(500, '', {
      ...kafkaJoin(kafkaSubscription(['orders'], [{ topic: 'orders', partitions: [0, 1] }], 1)),
      groupInstanceId: 'pod-1',
    }),
  )
  assert.is(rejoin.generationId, 1, 'same topics and user data: same generation')
  assert.is(h.group.state, 'stable')
})

test('a static Kafka member restarting with other topics rebalances', () => {
  const h = new Harness()
  h.startStable(0, { ...kafkaJoin(), groupInstanceId: 'pod-1' })
  const rejoin = h.joinAnswer(
    h.join(500, '', { ...kafkaJoin(kafkaSubscription(['orders', 'refunds'])), groupInstanceId: 'pod-1' }),
  )
  assert.is(rejoin.generationId, 2)
})

test('a Kafka subscription that is not one is INVALID_REQUEST; an opaque type carries any bytes', () => {
  const h = new Harness()
  const garbage = Buffer.from([0xff, 0xff, 0, 0])
  assert.is(h.code(h.join(0, '', kafkaJoin(garbage))), INVALID_REQUEST.code)
  const opaque = h.joinAnswer(
    h.join(1, '', { protocolType: 'connect', protocols: [{ name: 'default', metadata: garbage }] }),
  )
  assert.is(opaque.errorCode, 0)
  assert.equal(opaque.members, [{ memberId: opaque.memberId, metadata: garbage }])
})

test('Weir and Kafka consumers never share a group, whichever came first', () => {
  const kafkaFirst = new Harness()
  kafkaFirst.startStable(0, kafkaJoin())
  assert.is(kafkaFirst.code(kafkaFirst.join(1)), INCONSISTENT_GROUP_PROTOCOL.code)
  const weirFirst = new Harness()
  weirFirst.startStable(0)
  assert.is(weirFirst.code(weirFirst.join(1, '', kafkaJoin())), INCONSISTENT_GROUP_PROTOCOL.code)
  // Same assignor name and even the same topics: the protocol type alone keeps them apart.
  const named = { protocols: [{ name: 'range', metadata: kafkaSubscription(['orders']) }] }
  assert.is(
    weirFirst.code(weirFirst.join(1, '', { ...kafkaJoin(), ...named })),
    INCONSISTENT_GROUP_PROTOCOL.code,
  )
})

test('a restored Kafka group still knows its members’ topics', () => {
  const h = new Harness()
  h.startStable(0, kafkaJoin())
  const restored = GroupCoordinator.load(h.records, 10_000, {
    newMemberId: (clientId) => `${clientId}-restored`,
    limits: { minSessionTimeoutMs: 10 },
  })
  assert.is(restored.group('g')?.protocolType, Kafka.kafkaConsumerProtocolType)
  assert.equal(restored.partitionsGrew('orders', 10_000 + sessionTimeoutMs / 2), ['g'])
})

test.run()
