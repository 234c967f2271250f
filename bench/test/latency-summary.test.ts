// Proves latency percentiles are never reported above the recorded maximum, even when the tail
// shares the maximum's HdrHistogram bucket (which made the harness smoke test fail once).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { buildLatencyHistogram, summarize } from '../src/e2e/latency.js'

test('a tail in the maximum bucket reports p99 at most the maximum', () => {
  const histogram = buildLatencyHistogram()
  for (let index = 0; index < 2950; index++) histogram.recordValue(500)
  for (let index = 0; index < 50; index++) histogram.recordValue(12_345)
  const summary = summarize(histogram, 3000, 1000)
  assert.is(summary.maxMs, 12.345)
  assert.is(summary.p99Ms, 12.345)
  assert.ok(summary.p50Ms > 0 && summary.p50Ms <= summary.p99Ms && summary.p99Ms <= summary.maxMs)
  for (const [, ms] of summary.curve) assert.ok(ms <= summary.maxMs, `${ms}`)
  histogram.destroy()
})

test.run()
