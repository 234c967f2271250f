// Proves DrainBroker's codec: a round trip both ways, and a broker id outside 1 to 2^31-1 refused
// naming the field.
import { test } from 'uvu'
import { DrainBroker } from '../src/apis/drain-broker.js'
import { rejects, roundTrip } from './api-test-support.js'

test('DrainBroker round trip', () => {
  roundTrip(DrainBroker, { brokerId: 2, draining: true }, { errorCode: 0 })
  roundTrip(DrainBroker, { brokerId: 2 ** 31 - 1, draining: false }, { errorCode: 7, errorMessage: 'no' })
})

test('a broker id of 0 or a string is INVALID_REQUEST naming the field', () => {
  rejects(() => DrainBroker.decodeRequest({ brokerId: 0, draining: true }), /DrainBroker\.brokerId/)
  rejects(() => DrainBroker.decodeRequest({ brokerId: '2', draining: true }), /DrainBroker\.brokerId/)
})

test.run()
