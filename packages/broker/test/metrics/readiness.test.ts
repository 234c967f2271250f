// Proves /ready's rule: ready only as a member of the cluster, with a controller elected, not catching up and not closing; each reason says what to wait for.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readiness } from '../../src/metrics/readiness.js'

const ready = {
  brokerId: 2,
  brokerIds: [1, 2, 3],
  controllerId: 1,
  state: 'alive',
  catchUpPercent: 100,
  closing: false,
}

test('a member with a controller and caught-up replicas is ready; draining still serves', () => {
  assert.equal(readiness(ready), { ready: true, reasons: [] })
  assert.is(readiness({ ...ready, state: 'draining' }).ready, true)
})

test('each unmet condition is one reason', () => {
  assert.match(readiness({ ...ready, brokerIds: [1, 3] }).reasons.join(), /not a member .*add-broker/)
  assert.match(readiness({ ...ready, controllerId: 0 }).reasons.join(), /no controller is elected/)
  assert.match(
    readiness({ ...ready, state: 'catching-up', catchUpPercent: 40 }).reasons.join(),
    /catching up .*40% held/,
  )
  assert.match(readiness({ ...ready, closing: true }).reasons.join(), /shutting down/)
  const all = readiness({ ...ready, brokerIds: [1], controllerId: 0, state: 'catching-up', closing: true })
  assert.is(all.ready, false)
  assert.is(all.reasons.length, 4)
})

test.run()
