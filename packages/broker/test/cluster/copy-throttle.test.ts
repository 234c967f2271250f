// Proves a throttled restore copies at most throttleBytesPerSec on average, in chunks of about a quarter second's budget, and that no throttle means no wait.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CopyThrottle } from '../../src/cluster/copy-throttle.js'

test('no throttle: full-size reads, no waits', () => {
  const throttle = new CopyThrottle()
  assert.is(CopyThrottle.chunkBytes(undefined, 1_048_576), 1_048_576)
  assert.is(throttle.waitMsAfter(1_048_576, 0, 0, undefined), 0)
  assert.is(throttle.waitMsAfter(1_048_576, 0, 0, 0), 0)
})

test('chunks are a quarter second of budget, at least 16 KiB, at most the unthrottled read', () => {
  assert.is(CopyThrottle.chunkBytes(1_000_000, 1_048_576), 250_000)
  assert.is(CopyThrottle.chunkBytes(1000, 1_048_576), 16_384)
  assert.is(CopyThrottle.chunkBytes(100_000_000, 1_048_576), 1_048_576)
})

test('instant reads are paced to the rate: 10 chunks of 250 kB at 1 MB/s take 2.5 s', () => {
  const throttle = new CopyThrottle()
  let nowMs = 0
  for (let chunk = 0; chunk < 10; chunk++) nowMs += throttle.waitMsAfter(250_000, nowMs, nowMs, 1_000_000)
  assert.is(nowMs, 2500)
})

test('a read slower than its share waits nothing, and idle time is not saved up for a burst', () => {
  const throttle = new CopyThrottle()
  // A read from 1000 to 1100 ms: 150 ms of its 250 ms share remain.
  assert.is(throttle.waitMsAfter(250_000, 1000, 1100, 1_000_000), 150)
  // A read from 1250 to 1600 ms took longer than its share.
  assert.is(throttle.waitMsAfter(250_000, 1250, 1600, 1_000_000), 0)
  // After a long pause an instant read waits its whole share again, not less.
  assert.is(throttle.waitMsAfter(250_000, 60_000, 60_000, 1_000_000), 250)
  assert.is(throttle.waitMsAfter(250_000, 60_250, 60_250, 1_000_000), 250)
})

test.run()
