// Proves the state a broker reports in its heartbeats: alive when every replica holds what its
// leader committed (or is listed in sync), catching-up with the share of committed offsets held
// (also before a leader spoke to a replica),
// never 100% while behind, and draining when asked, whatever else.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { brokerState } from '../../src/cluster/broker-state.js'

const whole = (offsets: number) => ({
  heldOffsets: offsets,
  committedOffsets: offsets,
  inSync: false,
  leaderHeard: true,
})

test('every replica holding its leader commit: alive, 100%', () => {
  assert.equal(
    brokerState({
      replicas: [
        whole(10),
        whole(0),
        { heldOffsets: 12, committedOffsets: 10, inSync: false, leaderHeard: true },
      ],
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
    { heldOffsets: 0, committedOffsets: 600, inSync: false, leaderHeard: true },
    { heldOffsets: 200, committedOffsets: 300, inSync: false, leaderHeard: true },
    whole(100),
  ]
  assert.equal(brokerState({ replicas }), { state: 'catching-up', progressPercent: 30 })
  const almost = [{ heldOffsets: 9999, committedOffsets: 10_000, inSync: false, leaderHeard: true }]
  assert.equal(
    brokerState({ replicas: almost }),
    { state: 'catching-up', progressPercent: 99 },
    'never 100 while behind',
  )
})

test('a replica its leader lists in sync counts as whole: a follower a few entries behind under load is alive', () => {
  const replicas = [{ heldOffsets: 95, committedOffsets: 100, inSync: true, leaderHeard: true }, whole(50)]
  assert.equal(brokerState({ replicas }), { state: 'alive', progressPercent: 100 })
})

test('a replica no leader has spoken to yet cannot know it is complete: catching up', () => {
  const wipedController = { heldOffsets: 0, committedOffsets: 0, inSync: false, leaderHeard: false }
  assert.equal(brokerState({ replicas: [wipedController] }), { state: 'catching-up', progressPercent: 0 })
  assert.equal(brokerState({ replicas: [wipedController, whole(100)] }), {
    state: 'catching-up',
    progressPercent: 99,
  })
})

test('draining wins over catching up; the default is not draining', () => {
  const behind = [{ heldOffsets: 1, committedOffsets: 10, inSync: false, leaderHeard: true }]
  assert.equal(brokerState({ draining: true, replicas: behind }), { state: 'draining', progressPercent: 100 })
  assert.equal(brokerState({ draining: true, replicas: [] }).state, 'draining')
  assert.equal(brokerState({ replicas: behind }).state, 'catching-up')
})

test.run()
