// Proves safety (one leader per term, committed entries never change, logs agree up to commit) and
// liveness after healing, over 500 seeds of the chaotic simulator, and that a follower whose disk
// was wiped after the chaos gets the whole committed log back without new proposals.
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

const wipeSeedCount = 100
const wipeSteps = 1000

test(`simulator: after ${wipeSeedCount} chaotic runs a follower with a wiped disk catches up with nothing proposed`, () => {
  for (let seed = 1; seed <= wipeSeedCount; seed++) {
    const nodes = nodesFor(seed, undefined)
    const result = runSeed(seed, wipeSteps, nodes, false, true)
    if (result.error !== undefined) {
      console.log(replayLine(seed, wipeSteps, nodes, true))
      assert.unreachable(`seed ${seed}: ${result.error.message}`)
    }
  }
})

test.run()
