// Proves what Kafka's CreateTopics and DeleteTopics share: a name given twice is found, and the
// request's timeoutMs turns a change still running into REQUEST_TIMED_OUT (0 or less: no bound),
// on an injected clock so nothing here waits.
import { isWeirError, type Timer, type Timers } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { boundedBy, namedTwice, namedTwiceError } from '../../src/kafka/admin-requests.js'

/** Timers that fire only when told. */
function manualTimers() {
  const pending = new Map<Timer, { callback: () => void; delayMs: number }>()
  const timers: Timers = {
    setTimeout(callback, delayMs) {
      const timer: Timer = { unref: () => timer }
      pending.set(timer, { callback, delayMs })
      return timer
    },
    setInterval() {
      throw new Error('boundedBy sets no interval')
    },
    clear(timer) {
      if (timer !== undefined) pending.delete(timer)
    },
    defer: (callback) => callback(),
  }
  const environment = { timers }
  const fireAll = () => {
    for (const [id, { callback }] of [...pending]) {
      pending.delete(id)
      callback()
    }
  }
  return { environment, pending, fireAll }
}

test('names given more than once are found; the error says to name each once', () => {
  assert.equal([...namedTwice(['a', 'b', 'a', 'c', 'a'])], ['a'])
  assert.equal([...namedTwice(['a', 'b'])], [])
  const error = namedTwiceError('a', 'DeleteTopics')
  assert.is(error.code, 'INVALID_REQUEST')
  assert.match(error.message, /named more than once in this DeleteTopics request/)
})

test('past timeoutMs the answer is REQUEST_TIMED_OUT; a change done in time is its own answer', async () => {
  const { environment, pending, fireAll } = manualTimers()
  const late = boundedBy(new Promise<string>(() => {}), 5000, 'creating topic t', environment)
  assert.is([...pending.values()][0]?.delayMs, 5000)
  let outcome: unknown = 'pending'
  late.then(
    () => {
      outcome = 'resolved'
    },
    (error: unknown) => {
      outcome = error
    },
  )
  fireAll()
  // Let the rejection's handlers run; a change that never ends must not hang the test.
  await new Promise((resolve) => setImmediate(resolve))
  assert.ok(isWeirError(outcome, 'REQUEST_TIMED_OUT'), String(outcome))
  assert.match(
    (outcome as Error).message,
    /creating topic t did not finish within the request's timeoutMs \(5000 ms\)/,
  )
  assert.is(await boundedBy(Promise.resolve('done'), 5000, 'x', environment), 'done')
  assert.is(pending.size, 0, 'the timer is cleared once the change answered')
})

test('timeoutMs of 0 or less sets no timer', async () => {
  const { environment, pending } = manualTimers()
  const work = Promise.resolve('done')
  assert.is(boundedBy(work, 0, 'x', environment), work)
  assert.is(boundedBy(work, -1, 'x', environment), work)
  assert.is(pending.size, 0)
})

test.run()
