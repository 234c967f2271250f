// Proves the Redialer shares one dial among callers, backs off exponentially after failures (failing fast or waiting, as asked), reports reconnection, and wakes a waiting dial on close.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { backoffMs, type Redialable, Redialer } from '../src/redialer.js'
import { SimulatedTime } from '../src/transport/simulated-time.js'
import { isWeirError, WeirError } from '../src/weir-error.js'

class FakeConnection implements Redialable {
  closed = false
  close(): void {
    this.closed = true
  }
}

function redialer(time: SimulatedTime, outcomes: boolean[], events: string[]) {
  let dials = 0
  return {
    dials: () => dials,
    redialer: new Redialer<FakeConnection>({
      description: 'broker 1 at b1:9092',
      dial: async () => {
        dials++
        if (outcomes.shift() === false) throw new WeirError('BROKER_UNAVAILABLE', 'refused')
        return new FakeConnection()
      },
      clock: time,
      timers: time,
      backoffMs: 100,
      backoffMsMax: 250,
      closedError: () => new WeirError('CLIENT_CLOSED', 'closed'),
      onReconnected: (failures) => events.push(`reconnected after ${failures}`),
      onDialFailed: (_error, failures) => events.push(`failed ${failures} at ${time.elapsedMs}`),
    }),
  }
}

test('backoff doubles from the initial wait up to the max', () => {
  assert.equal(
    [0, 1, 2, 3, 40].map((attempt) => backoffMs(attempt, 100, 1000)),
    [100, 200, 400, 800, 1000],
  )
})

test('callers asking during one dial share it; an open connection is reused', async () => {
  const time = new SimulatedTime()
  const { redialer: subject, dials } = redialer(time, [true], [])
  const [first, second] = await Promise.all([
    subject.connect({ waitForBackoff: false }),
    subject.connect({ waitForBackoff: false }),
  ])
  assert.is(first, second)
  assert.is(await subject.connect({ waitForBackoff: false }), first)
  assert.is(dials(), 1)
})

test('after failures it fails fast or waits out the doubling backoff, then reports the reconnection', async () => {
  const time = new SimulatedTime()
  const events: string[] = []
  const { redialer: subject } = redialer(time, [false, false, false, true], events)
  for (let attempt = 0; attempt < 3; attempt++) {
    const failure = subject.connect({ waitForBackoff: true }).catch((error: unknown) => error)
    await time.runUntilIdle()
    assert.ok(isWeirError(await failure, 'BROKER_UNAVAILABLE'))
  }
  assert.equal(events, ['failed 1 at 0', 'failed 2 at 100', 'failed 3 at 300'])
  assert.ok(subject.backingOff)
  const fast = await subject.connect({ waitForBackoff: false }).catch((error: unknown) => error)
  assert.ok(isWeirError(fast, 'BROKER_UNAVAILABLE'))
  assert.match(
    (fast as Error).message,
    'broker 1 at b1:9092 did not answer the last attempt; Weir tries again in 250 ms',
  )
  const connecting = subject.connect({ waitForBackoff: true })
  await time.runUntilIdle()
  assert.ok((await connecting) instanceof FakeConnection)
  assert.is(time.elapsedMs, 550)
  assert.equal(events.at(-1), 'reconnected after 3')
  assert.is(subject.failures, 0)
})

test('close() wakes a dial waiting out its backoff with the closed error and closes the connection', async () => {
  const time = new SimulatedTime()
  const { redialer: subject, dials } = redialer(time, [false], [])
  await Promise.all([subject.connect({ waitForBackoff: false }).catch(() => undefined), time.runUntilIdle()])
  const waiting = subject.connect({ waitForBackoff: true }).catch((error: unknown) => error)
  subject.close()
  assert.ok(isWeirError(await waiting, 'CLIENT_CLOSED'))
  assert.is(dials(), 1)
  assert.is(time.pendingCount, 0)
})

test.run()
