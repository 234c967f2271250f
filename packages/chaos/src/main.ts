// `pnpm chaos [scenario...] [--runs N] [--seed S] [--rounds N] [--skip-needs] [--list]
// [--markdown FILE] [--keep]`: runs scenarios against real brokers and prints a table; exits 1 on
// any violation or broken run, 2 on a bad command line.
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { checkHistory } from './checker.js'
import type { History } from './history.js'
import { freshSeed } from './prng.js'
import { markdownTable, summarize, textTable } from './report.js'
import { type RunResult, runScenario } from './run-scenario.js'
import { scenarios } from './scenarios.js'

const usage = `Usage: pnpm chaos [SCENARIO...] [--runs N] [--seed S] [--rounds N] [--skip-needs] [--list]
                  [--markdown FILE] [--keep]
       pnpm chaos --recheck HISTORY.json... [--markdown FILE]

  SCENARIO        one or more of the names --list prints (default: all)
  --runs N        runs per scenario (default 1); run k uses seed S + k
  --seed S        the first run's seed (default: from the clock, printed)
  --rounds N      faults per run (default 3; CI uses 1)
  --skip-needs    skip scenarios that need a feature main may not have yet
  --list          list the scenarios and exit
  --markdown FILE also write the table as Markdown
  --keep          keep each run's directory (data, broker logs, history.json) and print where it is
  --recheck       check kept history.json files again (after a checker change) and print the table
`

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const parsed = Number(value)
  if (!Number.isSafeInteger(parsed) || parsed < 0)
    throw new Error(`${name} must be a whole number, got "${value}"`)
  return parsed
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse()
  } catch (error) {
    process.stderr.write(`chaos: ${(error as Error).message}\n\n${usage}`)
    return 2
  }
  const { names, runs, seed, rounds, skipNeeds, list, markdown, keep, recheck } = parsed
  if (recheck) return report(names.map(recheckFile), markdown)
  if (list) {
    for (const scenario of scenarios)
      console.log(
        `${scenario.name.padEnd(20)} ${scenario.description}${scenario.needs ? ` (needs: ${scenario.needs})` : ''}`,
      )
    return 0
  }
  const chosen = scenarios.filter(
    (scenario) => (names.length === 0 || names.includes(scenario.name)) && !(skipNeeds && scenario.needs),
  )
  console.log(
    `chaos: seed ${seed} (replay: pnpm chaos ${names.join(' ')} --seed ${seed} --runs ${runs} --rounds ${rounds})`,
  )
  const results: RunResult[] = []
  for (const scenario of chosen) {
    for (let run = 0; run < runs; run++) {
      const result = await runScenario(scenario, {
        seed: seed + run,
        rounds,
        log: (line) => console.log(line),
        keepFiles: keep,
      })
      results.push(result)
      const verdict = result.result.pass && result.error === undefined ? 'pass' : 'FAIL'
      console.log(
        `[${scenario.name} seed ${result.seed}] ${verdict} in ${(result.durationMs / 1000).toFixed(0)} s: ${result.result.acked} acked`,
      )
      for (const example of result.result.examples) console.log(`  ${example}`)
      if (result.error !== undefined) console.log(`  error: ${result.error.split('\n')[0]}`)
    }
  }
  return report(results, markdown)
}

function report(results: readonly RunResult[], markdown: string | undefined): number {
  const rows = summarize(results)
  console.log(`\n${textTable(rows)}`)
  // pnpm runs this in the package folder: a relative path means where the user ran `pnpm chaos`.
  if (markdown !== undefined)
    writeFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), markdown), `${markdownTable(rows)}\n`)
  return rows.every((row) => row.pass) ? 0 : 1
}

function parse() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      rounds: { type: 'string' },
      'skip-needs': { type: 'boolean' },
      list: { type: 'boolean' },
      markdown: { type: 'string' },
      keep: { type: 'boolean' },
      recheck: { type: 'boolean' },
    },
  })
  const known = new Set(scenarios.map((scenario) => scenario.name))
  if (values.recheck !== true)
    for (const name of positionals)
      if (!known.has(name)) throw new Error(`no scenario "${name}" (see --list)`)
  return {
    names: positionals,
    runs: Math.max(1, integer(values.runs, '--runs', 1)),
    seed: integer(values.seed, '--seed', freshSeed()),
    rounds: Math.max(1, integer(values.rounds, '--rounds', 3)),
    skipNeeds: values['skip-needs'] === true,
    list: values.list === true,
    markdown: values.markdown,
    keep: values.keep === true,
    recheck: values.recheck === true,
  }
}

/** A history.json a --keep run wrote, checked again. */
function recheckFile(file: string): RunResult {
  const dump = JSON.parse(readFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), file), 'utf8')) as {
    scenario?: string
    seed: number
    history?: History
  }
  if (dump.history === undefined)
    throw new Error(`${file}: the run did not reach its final read; nothing to check`)
  const result = checkHistory(dump.history)
  for (const example of result.examples) console.log(`  ${dump.scenario ?? file}: ${example}`)
  return { scenario: dump.scenario ?? file, seed: dump.seed, result, error: undefined, durationMs: 0 }
}

process.exitCode = await main()
