// CLI: pnpm --filter @weir/raft sim -- [--seeds N] [--seed S] [--steps K] [--nodes 3|5] [--verbose] [--wipe]
// Exits 1 on the first violation and prints the line that replays it.
import { parseArgs } from 'node:util'
import { nodesFor, replayLine, runSeed } from './run.js'

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    seeds: { type: 'string', default: '100' },
    seed: { type: 'string' },
    first: { type: 'string', default: '1' },
    steps: { type: 'string', default: '1000' },
    nodes: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    wipe: { type: 'boolean', default: false },
  },
})

const steps = Number(values.steps)
const fixedNodes = values.nodes === undefined ? undefined : Number(values.nodes)
const seeds =
  values.seed === undefined
    ? Array.from({ length: Number(values.seeds) }, (_, i) => Number(values.first) + i)
    : [Number(values.seed)]
const progressEvery = 1000
const started = performance.now()

for (const [done, seed] of seeds.entries()) {
  const nodes = nodesFor(seed, fixedNodes)
  const result = runSeed(seed, steps, nodes, values.verbose, values.wipe)
  if (result.error !== undefined) {
    console.log(`seed ${seed} (${nodes} nodes): ${result.error.stack ?? result.error.message}`)
    console.log(replayLine(seed, steps, nodes, values.wipe))
    process.exit(1)
  }
  if ((done + 1) % progressEvery === 0) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.log(`${done + 1}/${seeds.length} seeds ok (${seconds} s)`)
  }
}
const seconds = ((performance.now() - started) / 1000).toFixed(1)
console.log(`${seeds.length} seeds ok, ${steps} steps each (${seconds} s)`)
