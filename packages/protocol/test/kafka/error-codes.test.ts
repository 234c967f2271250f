// Proves the Kafka error table agrees with KafkaJS's (numbers and retriable flags) and that every
// Weir error maps to a Kafka code whose client reaction fits, with the exceptions named here.
import { createRequire } from 'node:module'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ErrorCodes, type ErrorName, Kafka } from '../../src/index.js'

const require = createRequire(import.meta.url)
const kafkajsErrors: Array<{ type: string; code: number; retriable: boolean }> =
  require('kafkajs/src/protocol/error').errorCodes

test('the codes of the brief have their Kafka numbers', () => {
  const { KafkaErrorCodes: codes } = Kafka
  assert.equal(
    [
      codes.NONE.code,
      codes.OFFSET_OUT_OF_RANGE.code,
      codes.CORRUPT_MESSAGE.code,
      codes.UNKNOWN_TOPIC_OR_PARTITION.code,
      codes.NOT_LEADER_OR_FOLLOWER.code,
      codes.REQUEST_TIMED_OUT.code,
      codes.UNSUPPORTED_VERSION.code,
      codes.INVALID_REQUEST.code,
    ],
    [0, 1, 2, 3, 6, 7, 35, 42],
  )
})

test('every Kafka code we answer has the number and retriable flag KafkaJS gives it', () => {
  // 0 is "no error" (KafkaJS has no entry for it); 110 is newer than KafkaJS 2.2.4 (KIP-848 groups only).
  const newerThanKafkaJs = new Set([0, 110])
  for (const [name, entry] of Object.entries(Kafka.KafkaErrorCodes)) {
    if (newerThanKafkaJs.has(entry.code)) continue
    const known = kafkajsErrors.find((candidate) => candidate.code === entry.code)
    assert.ok(known, `${name} (${entry.code}) is unknown to KafkaJS`)
    assert.is(entry.retriable, known.retriable, `${name} retriable`)
  }
})

test('numbers are unique, and every Weir error maps to one of them', () => {
  const numbers = Object.values(Kafka.KafkaErrorCodes).map((entry) => entry.code)
  assert.is(new Set(numbers).size, numbers.length)
  for (const name of Object.keys(ErrorCodes) as ErrorName[]) {
    assert.type(Kafka.kafkaErrorCodeOf(name), 'number', name)
  }
  assert.is(Kafka.kafkaErrorCodeOf('UNKNOWN_TOPIC'), 3)
  assert.is(Kafka.kafkaErrorCodeOf('NOT_LEADER'), 6)
  assert.is(Kafka.kafkaErrorCodeOf('INVALID_REQUEST'), 42)
})

test('a Weir error a client should retry maps to a code Kafka clients retry, but for named exceptions', () => {
  const mismatched = (Object.keys(ErrorCodes) as ErrorName[]).filter(
    (name) => ErrorCodes[name].retriable && !Kafka.KafkaErrorCodes[Kafka.kafkaErrorForWeir[name]].retriable,
  )
  // REBALANCE_IN_PROGRESS: Kafka clients do not resend, they rejoin the group, which is the
  // reaction Weir's retriable flag asks for.
  assert.equal(mismatched, ['REBALANCE_IN_PROGRESS'])
})

test.run()
