// Proves the stopping broker's hand-off loop: it returns as soon as no group is led here, asks
// again while transfers run (the core may abandon one), falls back to a draining broker only when
// no other follower is fit, and at its bound reports the groups still led here.
import { nodeClock, nodeTimers } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type HandingOver, handOffLeaders } from '../../src/cluster/hand-off-leaders.js'

const environment = { clock: nodeClock, timers: nodeTimers }

/** A leader that moves once asked `asksToMove` times with a target; `fit` says which targets it has. */
function fakeLeader(group: string, fit: readonly number[], asksToMove = 1) {
  const asked: (number | undefined)[] = []
  const replica: HandingOver & { isLeader: boolean } = {
    group,
    isLeader: true,
    handOff(avoid: ReadonlySet<number>): number | undefined {
      const to = fit.find((id) => !avoid.has(id))
      asked.push(to)
      if (to !== undefined && asked.filter((target) => target !== undefined).length >= asksToMove)
        replica.isLeader = false
      return to
    },
  }
  return { replica, asked }
}

test('returns once every group moved, asking again while a transfer runs', async () => {
  const quick = fakeLeader('orders/0', [2])
  const slow = fakeLeader('orders/1', [3], 3)
  const started = Date.now()
  const outcome = await handOffLeaders(() => [quick.replica, slow.replica], new Set(), environment, 5000)
  assert.equal(outcome, { moved: 2, stayed: [] })
  assert.is(slow.asked.length, 3, 'the slow transfer was asked for again each round')
  assert.ok(Date.now() - started < 1000, 'no waiting for the bound')
})

test('a draining broker is chosen only when no other follower is fit', async () => {
  const both = fakeLeader('orders/0', [2, 3])
  const drainingOnly = fakeLeader('orders/1', [2])
  await handOffLeaders(() => [both.replica, drainingOnly.replica], new Set([2]), environment, 5000)
  assert.equal(both.asked, [3])
  assert.equal(drainingOnly.asked, [undefined, 2])
})

test('at the bound, the groups still led here are reported', async () => {
  const stuck = fakeLeader('__consumer_offsets/4', [])
  const outcome = await handOffLeaders(() => [stuck.replica], new Set(), environment, 200)
  assert.equal(outcome, { moved: 0, stayed: ['__consumer_offsets/4'] })
})

test.run()
