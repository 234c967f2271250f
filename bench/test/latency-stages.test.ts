// Proves the latency stage recorder times each acknowledgement from its send, ignores rejected ones, and reports event-loop delay as lateness beyond the monitor's 1 ms resolution.
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { describeStages, LatencyStageRecorder } from '../src/e2e/latency-stages.js'

test('acknowledgements are timed from their send; rejections are not timed', async () => {
  const recorder = new LatencyStageRecorder()
  recorder.start()
  try {
    const sentMs = performance.now()
    const acknowledgement = sleep(30)
    recorder.acknowledged(acknowledgement, sentMs)
    recorder.acknowledged(Promise.reject(new Error('refused')), sentMs - 10_000)
    await acknowledgement
    await sleep(1)
    const stages = recorder.finish()
    assert.ok(stages.ack.p50Ms >= 29 && stages.ack.maxMs < 1000, JSON.stringify(stages.ack))
    assert.is(stages.ack.p50Ms, stages.ack.maxMs, 'one timed acknowledgement: the rejected one is left out')
    assert.ok(
      stages.eventLoopDelay.p50Ms >= 0 && stages.eventLoopDelay.p50Ms < 10,
      'an idle loop is hardly late',
    )
    assert.match(describeStages(stages), /ack p50 .* event-loop delay p99/)
  } finally {
    recorder.stop()
  }
})

test('a blocked event loop shows as delay', async () => {
  const recorder = new LatencyStageRecorder()
  recorder.start()
  try {
    await sleep(5)
    const until = performance.now() + 40
    while (performance.now() < until) {}
    await sleep(5)
    const stages = recorder.finish()
    assert.ok(stages.eventLoopDelay.maxMs >= 30, `max ${stages.eventLoopDelay.maxMs} ms`)
  } finally {
    recorder.stop()
  }
})

test.run()
