// pnpm sim: runs seeds of the multi-broker simulation and stops at the first failure with the
// one-line command that replays it.
//   pnpm sim --seeds N [--first F] [--brokers 3|5] [--verbose]   N seeds from F (default 1)
//   pnpm sim --seed S [--brokers 3|5] [--verbose]                 one seed, exactly as before
// Without --brokers, seeds alternate: odd seeds run 3 brokers, even seeds 5.
import { parseArgs } from 'node:util'
import { brokersForSeed, replayCommand, runSeed } from './run.js'

const usage =
  'usage: pnpm sim --seeds N [--first F] [--brokers 3|5] [--verbose] | pnpm sim --seed S [--brokers 3|5]'

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      seeds: { type: 'string' },
      first: { type: 'string' },
      seed: { type: 'string' },
      brokers: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  })
  const brokers = values.brokers === undefined ? undefined : Number(values.brokers)
  if (brokers !== undefined && brokers !== 3 && brokers !== 5)
    return fail(`--brokers must be 3 or 5\n${usage}`)
  const single = values.seed === undefined ? undefined : integer(values.seed, '--seed')
  const first = single ?? integer(values.first ?? '1', '--first')
  const count = single === undefined ? integer(values.seeds ?? '100', '--seeds') : 1
  const verbose = values.verbose || single !== undefined
  const startedMs = performance.now()
  for (let seed = first; seed < first + count; seed++) {
    const brokerCount = brokersForSeed(seed, brokers)
    const result = await runSeed(seed, {
      brokerCount,
      trace: verbose,
      log: verbose ? (line) => console.log(`  seed ${seed}: ${line}`) : undefined,
    })
    if (!result.ok) {
      console.error(`seed ${seed} (${brokerCount} brokers) FAILED: ${result.error.message}`)
      if (verbose && result.error.stack) console.error(result.error.stack)
      console.error(`replay: ${replayCommand(seed, { brokerCount })}`)
      return 1
    }
    if (verbose) {
      console.log(
        `  seed ${seed}: ok, ${result.acked} acked, ${result.failedSends} failed sends, ${result.commits} commits, ${result.virtualMs} virtual ms, trace ${result.trace.slice(0, 16)}`,
      )
    }
    const done = seed - first + 1
    if (done % 100 === 0 || done === count) {
      const seconds = (performance.now() - startedMs) / 1000
      console.log(`${done}/${count} seeds ok (${(done / seconds).toFixed(1)} seeds/s)`)
    }
  }
  return 0
}

function integer(text: string, flag: string): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`${flag} must be a non-negative integer, got ${text}\n${usage}`)
    process.exit(2)
  }
  return value
}

function fail(message: string): number {
  console.error(message)
  return 2
}

process.exitCode = await main()
