// A short real chaos run, as CI can afford: three brokers as child processes, one round each of
// leader-kill, pause and isolate under the producer and group workload, checked end to end (no
// acknowledged write lost, no duplicate, offsets and replicas consistent). Prints the table.
import * as assert from 'node:assert/strict'
import { withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import { summarize, textTable } from '../src/report.js'
import { type RunResult, runScenario } from '../src/run-scenario.js'
import { scenarios } from '../src/scenarios.js'

const results: RunResult[] = []
/** One run takes about 30 s on a 2-core machine; past this something hangs. */
const runTimeoutMs = 150_000

for (const name of ['leader-kill', 'pause', 'isolate']) {
  test(`${name}: one round under load, no violation`, async () => {
    const scenario = scenarios.find((entry) => entry.name === name)!
    const lines: string[] = []
    const run = await withTimeout(
      runScenario(scenario, { seed: 13, rounds: 1, log: (line) => lines.push(line), keepFiles: false }),
      runTimeoutMs,
      `the ${name} run`,
    )
    results.push(run)
    const why = `${[...run.result.examples, run.error ?? ''].join('\n')}\n${lines.join('\n')}`
    assert.equal(run.error, undefined, why)
    assert.ok(run.result.acked > 100, `only ${run.result.acked} acks\n${why}`)
    assert.ok(run.result.pass, why)
  })
}

test.after(() => {
  if (results.length > 0) console.log(`\n${textTable(summarize(results))}\n`)
})

test.run()
