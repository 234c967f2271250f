// Proves safety (one leader per term, committed entries never change, logs agree up to commit) and
// liveness after healing, over 500 seeds of the chaotic simulator.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { nodesFor, replayLine, runSeed } from './sim/run.js'

const seedCount = 500
const steps = 2000

test(`simulator: ${seedCount} seeds of ${steps} steps keep every invariant`, () => {
  for (let seed = 1; seed <= seedCount; seed++) {
    const nodes = nodesFor(seed, undefined)
    const result = runSeed(seed, steps, nodes)
    if (result.error !== undefined) {
      console.log(replayLine(seed, steps, nodes))
      assert.unreachable(`seed ${seed}: ${result.error.message}`)
    }
  }
})

test.run()
