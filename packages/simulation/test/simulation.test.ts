// Proves the multi-broker simulation: 200 seeds (3 and 5 brokers, every fault kind) keep every invariant, a seed replays to the same trace, and an injected durability bug is caught.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type FaultKind, faultKinds } from '../src/faults.js'
import { InvariantViolation } from '../src/invariants.js'
import { brokersForSeed, replayCommand, runSeed } from '../src/run.js'

/** `pnpm test` runs this many; WEIR_SIM_SEEDS overrides it (CI keeps the default). */
const seedCount = Number(process.env.WEIR_SIM_SEEDS ?? 200)

test(`${seedCount} seeds keep every invariant under every fault kind`, async () => {
  const failures: string[] = []
  const kindsSeen = new Set<FaultKind>()
  const brokerCounts = new Set<number>()
  const startedMs = performance.now()
  for (let seed = 1; seed <= seedCount; seed++) {
    const brokerCount = brokersForSeed(seed)
    const result = await runSeed(seed, { brokerCount })
    if (!result.ok) {
      failures.push(
        `seed ${seed}: ${result.error.message}\n  replay: ${replayCommand(seed, { brokerCount })}`,
      )
      continue
    }
    brokerCounts.add(brokerCount)
    for (const fault of result.faults) kindsSeen.add(fault.kind)
  }
  const seconds = (performance.now() - startedMs) / 1000
  console.log(`  ${seedCount} seeds in ${seconds.toFixed(1)} s (${(seedCount / seconds).toFixed(1)} seeds/s)`)
  assert.is(failures.length, 0, `${failures.length} of ${seedCount} seeds failed:\n${failures.join('\n')}`)
  if (seedCount >= 100) {
    assert.equal([...brokerCounts].sort(), [3, 5])
    assert.equal([...kindsSeen].sort(), [...faultKinds].sort())
  }
})

test('a seed replays exactly: the same trace of every network write and step', async () => {
  const first = await runSeed(5, { brokerCount: 3, trace: true })
  const second = await runSeed(5, { brokerCount: 3, trace: true })
  if (!first.ok || !second.ok) throw first.ok ? (second as { error: Error }).error : first.error
  assert.ok(first.networkWrites > 1000, `${first.networkWrites} network writes`)
  assert.is(first.trace, second.trace)
  assert.is(first.steps, second.steps)
  const other = await runSeed(6, { brokerCount: 3, trace: true })
  assert.ok(other.ok && other.trace !== first.trace, 'another seed gives another trace')
})

test('a disk that acknowledges fsync without making data durable fails an invariant', async () => {
  // A lying disk may break a run in other ways too (a topic lost before any acknowledgement
  // leaves the cluster unsettled); what must happen is that some seed breaks an invariant.
  const seedsMax = 10
  const otherFailures: string[] = []
  for (let seed = 1; seed <= seedsMax; seed++) {
    const result = await runSeed(seed, { brokerCount: 3, lyingFsync: true, faultKinds: ['crash-all'] })
    if (result.ok) continue
    if (result.error instanceof InvariantViolation) return
    otherFailures.push(`seed ${seed}: ${result.error.message.split('\n')[0]}`)
  }
  assert.unreachable(
    `no invariant caught the lying fsync within ${seedsMax} seeds; other failures:\n${otherFailures.join('\n')}`,
  )
})

test.run()
