// Proves BrokerHeartbeat (peer) and DescribeBrokers (client) survive encode → decode and refuse
// wrong shapes (an unknown state, a broker reporting itself down, a percentage above 100).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ApiKeys, BrokerHeartbeat, DescribeBrokers, isBrokerState } from '../src/index.js'
import { rejects, roundTrip } from './api-test-support.js'

test('BrokerHeartbeat carries the sender, its state and its progress', () => {
  roundTrip(BrokerHeartbeat, { brokerId: 3, state: 'catching-up', progressPercent: 42 }, { errorCode: 0 })
  roundTrip(BrokerHeartbeat, { brokerId: 1, state: 'draining', progressPercent: 100 }, { errorCode: 0 })
  assert.is(BrokerHeartbeat.apiKey, ApiKeys.BrokerHeartbeat)
  assert.is(ApiKeys.BrokerHeartbeat, 34)
  rejects(() => BrokerHeartbeat.decodeRequest({ brokerId: 3, state: 'down', progressPercent: 0 }), /state/)
  rejects(() => BrokerHeartbeat.decodeRequest({ brokerId: 3, state: 'asleep', progressPercent: 0 }), /state/)
  rejects(
    () => BrokerHeartbeat.decodeRequest({ brokerId: 3, state: 'alive', progressPercent: 101 }),
    /progressPercent/,
  )
  rejects(
    () => BrokerHeartbeat.decodeRequest({ brokerId: 0, state: 'alive', progressPercent: 1 }),
    /brokerId/,
  )
})

test("BrokerHeartbeat may carry the sender's Kafka address; old senders omit it, half of one is dropped", () => {
  const kafka = { kafkaHost: 'b2.example', kafkaPort: 9092 }
  roundTrip(
    BrokerHeartbeat,
    { brokerId: 2, state: 'alive', progressPercent: 100, ...kafka },
    { errorCode: 0 },
  )
  const old = BrokerHeartbeat.decodeRequest({ brokerId: 2, state: 'alive', progressPercent: 100 })
  assert.is(old.kafkaHost, undefined)
  const half = BrokerHeartbeat.decodeRequest({
    brokerId: 2,
    state: 'alive',
    progressPercent: 100,
    kafkaHost: 'x',
  })
  assert.equal(half, { brokerId: 2, state: 'alive', progressPercent: 100 })
  rejects(
    () =>
      BrokerHeartbeat.decodeRequest({
        brokerId: 2,
        state: 'alive',
        progressPercent: 1,
        ...kafka,
        kafkaPort: 70_000,
      }),
    /kafkaPort/,
  )
})

test('DescribeBrokers lists every broker with state, progress and heartbeat age', () => {
  const brokers = [
    { id: 1, host: '127.0.0.1', port: 7171, state: 'alive', progressPercent: 100, lastHeartbeatMs: 0 },
    { id: 2, host: '127.0.0.1', port: 7173, state: 'down', progressPercent: 100, lastHeartbeatMs: 4120 },
    { id: 3, host: '127.0.0.1', port: 7175, state: 'catching-up', progressPercent: 7, lastHeartbeatMs: 300 },
    { id: 4, host: 'b4.example', port: 7177, state: 'down', progressPercent: 0, lastHeartbeatMs: -1 },
  ] as const
  roundTrip(DescribeBrokers, {}, { errorCode: 0, brokers })
  assert.is(ApiKeys.DescribeBrokers, 25)
  assert.equal(DescribeBrokers.decodeResponse({ errorCode: 41, errorMessage: 'no' }), {
    errorCode: 41,
    errorMessage: 'no',
    brokers: [],
  })
  rejects(
    () => DescribeBrokers.decodeResponse({ brokers: [{ ...brokers[0], state: 'sleeping' }] }),
    /brokers\[0\]\.state/,
  )
  rejects(
    () => DescribeBrokers.decodeResponse({ brokers: [{ ...brokers[0], lastHeartbeatMs: -2 }] }),
    /lastHeartbeatMs/,
  )
  assert.ok(isBrokerState('catching-up'))
  assert.not.ok(isBrokerState('catching up'))
})

test.run()
