// Proves the in-sync replica set: followers that held everything committed within the lag window
// stay in it (also while a few entries behind under steady load), a follower that stops leaves it
// after the window and comes back once it catches up, a follower not heard from for the window
// leaves even on an idle partition where its match is current, and the set empties when
// leadership ends.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { InSyncReplicas } from '../../src/cluster/in-sync-replicas.js'

const lagMaxMs = 1000

/** Every follower in `ids` answered at `nowMs`. */
const heardAt = (nowMs: number, ids: readonly number[] = [2, 3]) => new Map(ids.map((id) => [id, nowMs]))

test('a follower a little behind under steady load stays in sync; a stopped one leaves after the window', () => {
  const isr = new InSyncReplicas(1, [2, 1, 3], lagMaxMs)
  let commit = 0
  for (let now = 0; now <= 5000; now += 50) {
    commit += 10
    // Follower 2 is always one tick (10 entries) behind the commit; follower 3 stops at 2000 ms.
    const matches = new Map([
      [2, commit - 10],
      [3, now <= 2000 ? commit : 400],
    ])
    isr.update(now, commit, matches, heardAt(now))
    if (now === 1500) assert.equal(isr.members, [2, 1, 3], 'replica order, everyone in sync')
    if (now === 2900) assert.equal(isr.members, [2, 1, 3], 'within the window after stopping')
    if (now === 3100) assert.equal(isr.members, [2, 1], 'out once the window passed')
  }
  assert.equal(isr.members, [2, 1])
})

test('a follower that catches up comes back; ending leadership empties the set', () => {
  const isr = new InSyncReplicas(1, [1, 2, 3], lagMaxMs)
  assert.ok(isr.update(0, 100, new Map([[2, 100]]), heardAt(0)), 'the first update sets the members')
  assert.equal(isr.members, [1, 2])
  assert.not.ok(isr.update(50, 100, new Map([[2, 100]]), heardAt(50)), 'unchanged')
  assert.ok(
    isr.update(
      100,
      120,
      new Map([
        [2, 120],
        [3, 100],
      ]),
      heardAt(100),
    ),
    'follower 3 held the commit of 0 ms',
  )
  assert.equal(isr.members, [1, 2, 3])
  assert.ok(isr.reset())
  assert.equal(isr.members, [])
  assert.not.ok(isr.reset(), 'already empty')
})

test('a follower that never held anything committed is never in sync', () => {
  const isr = new InSyncReplicas(1, [1, 2, 3], lagMaxMs)
  for (let now = 0; now < 3000; now += 50)
    isr.update(
      now,
      100 + now,
      new Map([
        [2, 100 + now],
        [3, -1],
      ]),
      heardAt(now),
    )
  assert.equal(isr.members, [1, 2])
})

test('a follower not heard from for the window leaves an idle partition although its match is current', () => {
  const isr = new InSyncReplicas(1, [1, 2, 3], lagMaxMs)
  const matches = new Map([
    [2, 100],
    [3, 100],
  ])
  let lastHeardFrom3 = 0
  for (let now = 0; now <= 3000; now += 50) {
    // Nothing is written: the commit stays at 100, which both followers hold. Follower 3 dies at 1000 ms.
    if (now <= 1000) lastHeardFrom3 = now
    const heard = new Map([
      [2, now],
      [3, lastHeardFrom3],
    ])
    isr.update(now, 100, matches, heard)
    if (now === 1900) assert.equal(isr.members, [1, 2, 3], 'within the window after its last answer')
    if (now === 2100) assert.equal(isr.members, [1, 2], 'out once the window passed with no answer')
  }
  // It answers again (restarted, log intact): back at once.
  assert.ok(isr.update(3050, 100, matches, heardAt(3050)))
  assert.equal(isr.members, [1, 2, 3])
})

test('a follower never heard from is not in sync', () => {
  const isr = new InSyncReplicas(1, [1, 2, 3], lagMaxMs)
  isr.update(
    0,
    100,
    new Map([
      [2, 100],
      [3, 100],
    ]),
    heardAt(0, [2]),
  )
  assert.equal(isr.members, [1, 2])
})

test.run()
