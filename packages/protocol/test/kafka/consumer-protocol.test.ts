// Proves Kafka's ConsumerProtocol codec reads what KafkaJS 2.2.4 writes and the other way round,
// round-trips every version, reads a newer version's known fields and skips the rest (Kafka's
// rule), and turns every other byte string into INVALID_REQUEST only.
import { createRequire } from 'node:module'
import * as fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isWeirError, Kafka } from '../../src/index.js'

const require = createRequire(import.meta.url)
// biome-ignore lint/suspicious/noExplicitAny: KafkaJS internals are untyped JavaScript
type Untyped = any
const { MemberMetadata, MemberAssignment }: Untyped = require('kafkajs/src/consumer/assignerProtocol')

const topicName = fc.string({ minLength: 1, maxLength: 20 })
const topicPartitions = fc
  .array(fc.tuple(topicName, fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { maxLength: 8 })), {
    maxLength: 5,
  })
  .map((entries) => entries.map(([topic, partitions]) => ({ topic, partitions })))
const userData = fc.option(
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  { nil: null },
)

/** A subscription holding only the fields its version has (the others at their defaults). */
const subscription = fc
  .record({
    version: fc.integer({ min: 0, max: 3 }),
    topics: fc.array(topicName, { maxLength: 10 }),
    userData,
    ownedPartitions: topicPartitions,
    generationId: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
    rackId: fc.option(fc.string({ maxLength: 10 }), { nil: null }),
  })
  .map((value) => ({
    ...value,
    ownedPartitions: value.version >= 1 ? value.ownedPartitions : [],
    generationId: value.version >= 2 ? value.generationId : -1,
    rackId: value.version >= 3 ? value.rackId : null,
  }))

function rejects(bytes: Uint8Array): void {
  for (const decode of [Kafka.decodeConsumerProtocolSubscription, Kafka.decodeConsumerProtocolAssignment]) {
    try {
      decode(bytes)
    } catch (error) {
      assert.ok(
        isWeirError(error, 'INVALID_REQUEST'),
        `${String(error)} from ${Buffer.from(bytes).toString('hex')}`,
      )
    }
  }
}

test('subscriptions of every version round-trip', () => {
  fc.assert(
    fc.property(subscription, (value) => {
      const bytes = Kafka.encodeConsumerProtocolSubscription(value)
      assert.equal(Kafka.decodeConsumerProtocolSubscription(bytes), value)
    }),
  )
})

test('assignments round-trip', () => {
  fc.assert(
    fc.property(
      fc
        .record({ version: fc.integer({ min: 0, max: 3 }), partitions: topicPartitions, userData })
        .map((value) => ({ ...value })),
      (value) => {
        const bytes = Kafka.encodeConsumerProtocolAssignment(value)
        assert.equal(Kafka.decodeConsumerProtocolAssignment(bytes), value)
      },
    ),
  )
})

test("KafkaJS's subscription (v0, its MemberMetadata) reads back; ours reads in KafkaJS", () => {
  const bytes: Buffer = MemberMetadata.encode({
    version: 0,
    topics: ['orders', 'audit'],
    userData: Buffer.from('sticky'),
  })
  assert.equal(Kafka.decodeConsumerProtocolSubscription(bytes), {
    version: 0,
    topics: ['orders', 'audit'],
    userData: Buffer.from('sticky'),
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  })
  const ours = Kafka.encodeConsumerProtocolSubscription({
    version: 0,
    topics: ['a'],
    userData: Buffer.alloc(0),
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  })
  assert.equal(MemberMetadata.decode(ours), { version: 0, topics: ['a'], userData: Buffer.alloc(0) })
  assert.equal(ours, MemberMetadata.encode({ version: 0, topics: ['a'] }))
})

test("KafkaJS's assignment (its MemberAssignment) reads back; ours reads in KafkaJS", () => {
  const bytes: Buffer = MemberAssignment.encode({
    version: 1,
    assignment: { orders: [0, 2, 4], audit: [1] },
    userData: Buffer.from([7]),
  })
  assert.equal(Kafka.decodeConsumerProtocolAssignment(bytes), {
    version: 1,
    partitions: [
      { topic: 'orders', partitions: [0, 2, 4] },
      { topic: 'audit', partitions: [1] },
    ],
    userData: Buffer.from([7]),
  })
  const ours = Kafka.encodeConsumerProtocolAssignment({
    version: 0,
    partitions: [{ topic: 'orders', partitions: [5, 1] }],
    userData: null,
  })
  assert.equal(MemberAssignment.decode(ours), { version: 0, assignment: { orders: [5, 1] }, userData: null })
})

test('golden v1 subscription (cooperative-sticky owned partitions), byte for byte', () => {
  const bytes = Buffer.from(
    '0001' + // version 1
      '00000001' +
      '0001' +
      '74' + // topics ["t"]
      'ffffffff' + // user data null
      '00000001' +
      '0001' +
      '74' +
      '00000002' +
      '00000000' +
      '00000003', // owned t: [0, 3]
    'hex',
  )
  const decoded = Kafka.decodeConsumerProtocolSubscription(bytes)
  assert.equal(decoded, {
    version: 1,
    topics: ['t'],
    userData: null,
    ownedPartitions: [{ topic: 't', partitions: [0, 3] }],
    generationId: -1,
    rackId: null,
  })
  assert.equal(Kafka.encodeConsumerProtocolSubscription(decoded), bytes)
})

test('a newer version reads as the newest we know and its extra bytes are skipped', () => {
  const v3 = Kafka.encodeConsumerProtocolSubscription({
    version: 3,
    topics: ['t'],
    userData: null,
    ownedPartitions: [],
    generationId: 9,
    rackId: 'rack-a',
  })
  const v4 = Buffer.concat([Buffer.from([0, 4]), v3.subarray(2), Buffer.from('future fields')])
  assert.equal(Kafka.decodeConsumerProtocolSubscription(v4), {
    version: 4,
    topics: ['t'],
    userData: null,
    ownedPartitions: [],
    generationId: 9,
    rackId: 'rack-a',
  })
  const assignment = Kafka.encodeConsumerProtocolAssignment({ version: 7, partitions: [], userData: null })
  assert.equal(Kafka.decodeConsumerProtocolAssignment(Buffer.concat([assignment, Buffer.from([1, 2])])), {
    version: 7,
    partitions: [],
    userData: null,
  })
})

test('empty assignment bytes are the empty assignment; an empty subscription is refused', () => {
  assert.equal(Kafka.decodeConsumerProtocolAssignment(Buffer.alloc(0)), {
    version: 0,
    partitions: [],
    userData: null,
  })
  try {
    Kafka.decodeConsumerProtocolSubscription(Buffer.alloc(0))
    assert.unreachable('an empty subscription decoded')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_REQUEST'))
    assert.match((error as Error).message, /consumer-protocol subscription is malformed/)
  }
})

test('a negative version, a null topic and a cut-off subscription are INVALID_REQUEST', () => {
  const valid = Kafka.encodeConsumerProtocolSubscription({
    version: 2,
    topics: ['orders'],
    userData: Buffer.from('x'),
    ownedPartitions: [{ topic: 'orders', partitions: [1] }],
    generationId: 3,
    rackId: null,
  })
  for (let end = 0; end < valid.length; end++) {
    try {
      Kafka.decodeConsumerProtocolSubscription(valid.subarray(0, end))
      assert.unreachable(`cut at ${end} decoded`)
    } catch (error) {
      assert.ok(isWeirError(error, 'INVALID_REQUEST'), String(error))
    }
  }
  for (const hex of ['ffff00000000ffffffff', '000000000001ffff']) {
    try {
      Kafka.decodeConsumerProtocolSubscription(Buffer.from(hex, 'hex'))
      assert.unreachable(`${hex} decoded`)
    } catch (error) {
      assert.ok(isWeirError(error, 'INVALID_REQUEST'), String(error))
    }
  }
})

test('random bytes never escape as anything but INVALID_REQUEST', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), rejects), { numRuns: 2000 })
  // Mostly-valid prefixes reach deeper into the decoder than uniform noise does.
  fc.assert(
    fc.property(subscription, fc.nat(), fc.integer({ min: 0, max: 255 }), (value, at, byte) => {
      const bytes = Buffer.from(Kafka.encodeConsumerProtocolSubscription(value))
      bytes[at % bytes.length] = byte
      rejects(bytes)
    }),
    { numRuns: 1000 },
  )
})

test("protocol types map 'consumer' to 'kafka:consumer' and back; others pass as they are", () => {
  assert.is(Kafka.weirProtocolTypeOfKafka('consumer'), 'kafka:consumer')
  assert.is(Kafka.kafkaProtocolTypeOfWeir('kafka:consumer'), 'consumer')
  assert.is(Kafka.weirProtocolTypeOfKafka('connect'), 'connect')
  assert.is(Kafka.kafkaProtocolTypeOfWeir('connect'), 'connect')
})

test.run()
