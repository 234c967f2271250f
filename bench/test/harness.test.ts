// Proves the benchmark harness runs every measurement at tiny sizes, returns usable figures and cleans up; never checks speed.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { renderMarkdown, renderText, storageTables } from '../src/report.js'
import { runStorageSuite, type SuiteReporter } from '../src/storage-suite.js'
import { storageSuite } from '../src/suites.js'
import { checkTargets } from '../src/targets.js'
import { leftoverDirectories } from './support/leftovers.js'

const tinySizes = {
  diskMebibytes: 4,
  diskSyncEachBlockMebibytes: 2,
  smallBatches: 8,
  largeBatches: 4,
  inFlight: 4,
  repetitions: 1,
}

const silent: SuiteReporter = {
  caseStarted() {},
  runStarted() {},
  progress() {},
  runFinished() {},
  medianChosen() {},
}

function assertFigures(name: string, measurement: object): void {
  for (const [field, value] of Object.entries(measurement)) {
    assert.type(value, 'number', `${name}.${field}`)
    assert.ok(Number.isFinite(value) && value >= 0, `${name}.${field} is ${value}`)
    if (field.endsWith('PerSecond') || field === 'bytes') assert.ok(value > 0, `${name}.${field} is ${value}`)
  }
}

test('every measurement returns positive finite figures and leaves no temp directory behind', async () => {
  const before = await leftoverDirectories()
  const results = await runStorageSuite(storageSuite(tinySizes), silent)
  assertFigures('diskSyncOnce', results.diskSyncOnce.measurement)
  assertFigures('diskSyncEachBlock', results.diskSyncEachBlock.measurement)
  assert.is(results.append.length, 5)
  for (const entry of results.append) assertFigures(entry.id, entry.measurement)
  assertFigures('read', results.read.measurement)
  assert.is(results.read.measurement.records, tinySizes.largeBatches * 1000)

  const targets = checkTargets(results)
  assert.is(targets.length, 4)
  const tables = storageTables(results, targets)
  assert.ok(renderText('heading', tables).includes('Targets'))
  assert.ok(renderMarkdown('heading', tables).includes('| target |'))
  assert.equal(await leftoverDirectories(), before)
})

test.run()
