// Proves the state a broker reports in its heartbeats: alive when every replica holds what its
// leader committed (or is listed in sync), catching-up with the share of committed offsets held,
// never 100% while behind, and draining when asked, whatever else.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { brokerState } from '../../src/cluster/broker-state.js'

const whole = (offsets: number) => ({ heldOffsets: offsets, committedOffsets: offsets, inSync: false })

test('every replica holding its leader commit: alive, 100%', () => {
  assert.equal(
    brokerState({
      replicas: [whole(10), whole(0), { heldOffsets: 12, committedOffsets: 10, inSync: false }],
    }),
    {
      state: 'alive',
      progressPercent: 100,
    },
  )
  assert.equal(brokerState({ replicas: [] }), { state: 'alive', progressPercent: 100 }, 'hosting nothing')
})

test('a wiped broker is catching up with the share of committed offsets it holds, summed over replicas', () => {
  const replicas = [
    { heldOffsets: 0, committedOffsets: 600, inSync: false },
    { heldOffsets: 200, committedOffsets: 300, inSync: false },
    whole(100),
  ]
  assert.equal(brokerState({ replicas }), { state: 'catching-up', progressPercent: 30 })
  const almost = [{ heldOffsets: 9999, committedOffsets: 10_000, inSync: false }]
  assert.equal(
    brokerState({ replicas: almost }),
    { state: 'catching-up', progressPercent: 99 },
    'never 100 while behind',
  )
})

test('a replica its leader lists in sync counts as whole: a follower a few entries behind under load is alive', () => {
  const replicas = [{ heldOffsets: 95, committedOffsets: 100, inSync: true }, whole(50)]
  assert.equal(brokerState({ replicas }), { state: 'alive', progressPercent: 100 })
})

test('draining wins over catching up; the default is not draining', () => {
  const behind = [{ heldOffsets: 1, committedOffsets: 10, inSync: false }]
  assert.equal(brokerState({ draining: true, replicas: behind }), { state: 'draining', progressPercent: 100 })
  assert.equal(brokerState({ draining: true, replicas: [] }).state, 'draining')
  assert.equal(brokerState({ replicas: behind }).state, 'catching-up')
})

test.run()
