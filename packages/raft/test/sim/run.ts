// Runs simulator seeds; shared by the CLI and the package test.
import { Simulation } from './simulation.js'

export interface SeedResult {
  readonly seed: number
  readonly nodes: number
  readonly error?: Error
}

/** 3 or 5 nodes, from the seed unless fixed. */
export function nodesFor(seed: number, fixed: number | undefined): number {
  return fixed ?? (seed % 2 === 0 ? 3 : 5)
}

export function runSeed(
  seed: number,
  steps: number,
  nodes: number,
  verbose = false,
  wipe = false,
): SeedResult {
  try {
    new Simulation({ seed, steps, nodes, verbose, wipe }).run()
    return { seed, nodes }
  } catch (error) {
    return { seed, nodes, error: error as Error }
  }
}

export function replayLine(seed: number, steps: number, nodes: number, wipe = false): string {
  return `replay: pnpm --filter @weir/raft sim -- --seed ${seed} --steps ${steps} --nodes ${nodes} --verbose${wipe ? ' --wipe' : ''}`
}
