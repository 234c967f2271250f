// Proves the consumer-protocol subscription and assignment codecs round-trip any value, encode canonically (golden bytes, sorted), and reject foreign bytes with INVALID_REQUEST.
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  encodeBody,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
  isWeirError,
} from '../src/index.js'

function rejects(run: () => unknown, pattern: RegExp): void {
  try {
    run()
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_REQUEST'), String(error))
    assert.match((error as Error).message, pattern)
  }
}

test('subscription golden bytes: topics sorted, partitions ascending, empty lists dropped', () => {
  const bytes = encodeConsumerSubscription({
    topics: ['orders', 'audit', 'orders'],
    ownedPartitions: new Map([
      ['orders', [2, 0]],
      ['audit', []],
    ]),
    generationId: 5,
  })
  assert.is(
    bytes.toString('hex'),
    '84a776657273696f6e00a6746f7069637392a56175646974a66f7264657273af6f776e6564506172746974696f6e739182' +
      'a5746f706963a66f7264657273aa706172746974696f6e73920002ac67656e65726174696f6e496405',
  )
  assert.equal(decodeConsumerSubscription(bytes), {
    topics: ['audit', 'orders'],
    ownedPartitions: new Map([['orders', [0, 2]]]),
    generationId: 5,
  })
})

test('assignment golden bytes and the empty assignment', () => {
  const bytes = encodeConsumerAssignment({ partitions: new Map([['t', [1]]]), userData: Buffer.from([9]) })
  assert.is(
    bytes.toString('hex'),
    '83a776657273696f6e00aa706172746974696f6e739182a5746f706963a174aa706172746974696f6e739101a8757365724461746' +
      '1c40109',
  )
  assert.equal(decodeConsumerAssignment(bytes), {
    partitions: new Map([['t', [1]]]),
    userData: Buffer.from([9]),
  })
  assert.equal(decodeConsumerAssignment(Buffer.alloc(0)), { partitions: new Map() })
})

const topicName = fc.string({ minLength: 1, maxLength: 8 })
const topicPartitions = fc
  .dictionary(topicName, fc.uniqueArray(fc.nat(500), { minLength: 1, maxLength: 6 }), { maxKeys: 5 })
  .map(
    (record) =>
      new Map(Object.entries(record).map(([topic, list]) => [topic, [...list].sort((a, b) => a - b)])),
  )

test('any subscription and assignment round-trips (property)', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(topicName, { maxLength: 6 }),
      topicPartitions,
      fc.integer({ min: -1, max: 1000 }),
      fc.option(fc.uint8Array({ maxLength: 8 }), { nil: undefined }),
      (topics, owned, generationId, userData) => {
        const subscription = {
          topics: [...topics].sort(),
          ownedPartitions: owned,
          generationId,
          ...(userData === undefined ? {} : { userData: Buffer.from(userData) }),
        }
        assert.equal(decodeConsumerSubscription(encodeConsumerSubscription(subscription)), subscription)
        const assignment = { partitions: owned }
        assert.equal(decodeConsumerAssignment(encodeConsumerAssignment(assignment)), assignment)
      },
    ),
  )
})

test('foreign bytes are INVALID_REQUEST naming the field', () => {
  rejects(() => decodeConsumerSubscription(Buffer.from([0x92, 0x01])), /not valid msgpack/)
  rejects(() => decodeConsumerSubscription(encodeBody({ topics: [] })), /ConsumerSubscription\.version/)
  rejects(
    () => decodeConsumerSubscription(encodeBody({ version: 0, topics: [1], ownedPartitions: [] })),
    /ConsumerSubscription\.topics\[0\]/,
  )
  rejects(
    () =>
      decodeConsumerAssignment(encodeBody({ version: 0, partitions: [{ topic: 't', partitions: [-1] }] })),
    /ConsumerAssignment\.partitions\[0\]\.partitions\[0\]/,
  )
})

test('a newer version with extra fields still decodes', () => {
  const bytes = encodeBody({ version: 3, topics: ['t'], ownedPartitions: [], generationId: 1, rack: 'a' })
  assert.equal(decodeConsumerSubscription(bytes), {
    topics: ['t'],
    ownedPartitions: new Map(),
    generationId: 1,
  })
})

test.run()
