// Proves the end-to-end harness runs every workload through a real broker process at tiny sizes and reports usable figures; never checks speed.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkE2eTargets, e2eTables } from '../src/e2e/e2e-report.js'
import { runE2eSuite } from '../src/e2e/e2e-suite.js'
import { renderMarkdown } from '../src/report.js'
import { leftoverDirectories } from './support/leftovers.js'

const silent = { caseStarted() {}, runStarted() {}, progress() {}, runFinished() {} }

test('produce, consume and latency cases each return positive figures and leave no temp directory', async () => {
  const before = await leftoverDirectories()
  const results = await runE2eSuite(
    { smallMessages: 300, largeMessages: 100, consumeMessages: 500, latencySeconds: 0.2, repetitions: 1 },
    silent,
  )
  assert.is(results.produce.length, 8)
  for (const { label, measurement } of [...results.produce, ...results.consume]) {
    assert.ok(measurement.messagesPerSecond > 0 && Number.isFinite(measurement.messagesPerSecond), label)
    assert.ok(measurement.bytes > 0, label)
  }
  assert.is(results.consume[0]!.measurement.messages, 500)
  const latency = results.latency[0]!.measurement
  assert.is(latency.messages, 2000)
  assert.ok(latency.p50Ms > 0 && latency.p50Ms <= latency.p99Ms && latency.p99Ms <= latency.maxMs)
  const markdown = renderMarkdown('heading', e2eTables(results, checkE2eTargets(results)))
  assert.ok(markdown.includes('p99.9 ms'))
  assert.equal(await leftoverDirectories(), before)
})

test.run()
