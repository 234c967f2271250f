// Proves the liveness table: a peer shows the state of its last heartbeat and how long ago it came,
// turns down after 3 s of silence (and is down before any heartbeat), this broker shows itself as
// it is now, and heartbeats from outside the cluster or out of order change nothing.
import { brokerDownAfterMs } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BrokerLiveness } from '../../src/cluster/broker-liveness.js'

const self = { state: 'alive', progressPercent: 100 } as const

test('peers are down until they send a heartbeat, then show its state and age; self is 0 ms', () => {
  const table = new BrokerLiveness(1, [3, 1, 2])
  assert.equal(table.rows(0, self), [
    { id: 1, state: 'alive', progressPercent: 100, lastHeartbeatMs: 0 },
    { id: 2, state: 'down', progressPercent: 0, lastHeartbeatMs: -1 },
    { id: 3, state: 'down', progressPercent: 0, lastHeartbeatMs: -1 },
  ])
  table.heartbeat(2, 'alive', 100, 1000)
  table.heartbeat(3, 'catching-up', 42, 1200)
  assert.equal(table.rows(1500, self).slice(1), [
    { id: 2, state: 'alive', progressPercent: 100, lastHeartbeatMs: 500 },
    { id: 3, state: 'catching-up', progressPercent: 42, lastHeartbeatMs: 300 },
  ])
})

test('a peer silent for more than 3 s is down, and alive again at its next heartbeat', () => {
  assert.is(brokerDownAfterMs, 3000)
  const table = new BrokerLiveness(1, [1, 2])
  table.heartbeat(2, 'draining', 100, 10_000)
  assert.is(table.rows(13_000, self)[1]!.state, 'draining', 'exactly 3 s: not yet')
  assert.equal(table.rows(13_001, self)[1], {
    id: 2,
    state: 'down',
    progressPercent: 100,
    lastHeartbeatMs: 3001,
  })
  table.heartbeat(2, 'alive', 100, 14_000)
  assert.is(table.rows(14_000, self)[1]!.state, 'alive')
})

test('heartbeats from outside the cluster, from itself, or older than the last are ignored', () => {
  const table = new BrokerLiveness(1, [1, 2])
  table.heartbeat(9, 'alive', 100, 0)
  table.heartbeat(1, 'catching-up', 5, 0)
  table.heartbeat(2, 'alive', 100, 5000)
  table.heartbeat(2, 'catching-up', 10, 4000)
  assert.equal(table.rows(5000, { state: 'draining', progressPercent: 100 }), [
    { id: 1, state: 'draining', progressPercent: 100, lastHeartbeatMs: 0 },
    { id: 2, state: 'alive', progressPercent: 100, lastHeartbeatMs: 0 },
  ])
})

test.run()
