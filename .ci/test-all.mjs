// Runs every package's tests through turbo and ends with one line of totals over all packages:
// "N passed, N failed, N skipped". uvu prints Total/Passed/Skipped per package run; we add them up.
import { spawn } from 'node:child_process'
import { stripVTControlCharacters } from 'node:util'
import { checkUvuTotals, uvuTotals } from './uvu-totals.mjs'

// A wrong totals line is worse than none: check the arithmetic on a captured summary before running.
checkUvuTotals()

// Two at a time on CI's 2 cores: ten packages' tests at once (integration, chaos and simulation
// start real brokers) starved the timing-sensitive cluster tests.
const args = [
  'exec',
  'turbo',
  'run',
  'test',
  '--continue',
  '--concurrency=2',
  '--output-logs=full',
  '--log-order=grouped',
]
const child = spawn('pnpm', args, {
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: process.env.FORCE_COLOR ?? '1' },
  stdio: ['ignore', 'pipe', 'inherit'],
})

let output = ''
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  output += chunk.toString('utf8')
})

child.on('close', (code) => {
  const { passed, skipped, ...counts } = uvuTotals(stripVTControlCharacters(output))
  let failed = counts.failed
  if (code !== 0 && failed === 0) {
    // A test file that crashed before uvu could count it: report it as a failure, never as a pass.
    console.log('a test run exited with an error before reporting its totals (see above)')
    failed = 1
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
  process.exit(code !== 0 || failed > 0 ? 1 : 0)
})
