// Proves a restart with a saved committed prefix rebuilds exactly what a full read of the log
// rebuilds while reading only the log above the prefix, and that a prefix the log no longer
// matches (other terms, retention past it, a log cut below it, a damaged file) is not used.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeRecordBatch } from '@weir/protocol'
import { type CommittedPrefix, EntryKind, type HardState, type TermRun } from '@weir/raft'
import { nodeFileIo, PartitionLog } from '@weir/storage'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CommittedPrefixFile, committedPrefixFileName } from '../../src/cluster/committed-prefix-file.js'
import { restoreFromLog } from '../../src/cluster/log-restore.js'
import { batchOfEntry } from '../../src/cluster/raft-batches.js'

const directories: string[] = []
test.after.each(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

const config = { voters: [1, 2, 3] }

/** A log of `terms.length` entries: a no-op starting each term, then 3-record client batches. */
async function logWithTerms(terms: readonly number[]): Promise<PartitionLog> {
  const directory = mkdtempSync(join(tmpdir(), 'weir-prefix-'))
  directories.push(directory)
  const log = await PartitionLog.open(directory, { config: { segmentBytes: 4096 } })
  let previous = 0
  for (const term of terms) {
    const batch =
      term !== previous
        ? batchOfEntry({ index: 0, term, span: 1, kind: EntryKind.noop, data: new Uint8Array(0) })
        : encodeRecordBatch(
            Array.from({ length: 3 }, (_, index) => ({
              value: Buffer.from(`t${term}-${index}`.padEnd(200)),
            })),
            { timestamp: 1 },
          )
    await log.append(batch, { term })
    previous = term
  }
  return log
}

/** Counts the bytes a restore reads from `log`. */
function countReads(log: PartitionLog): { bytes: number } {
  const counter = { bytes: 0 }
  const read = log.read.bind(log)
  log.read = async (offset, maxBytes) => {
    const result = await read(offset, maxBytes)
    counter.bytes += result.bytes.length
    return result
  }
  return counter
}

function prefixOf(runs: readonly TermRun[], through: number): CommittedPrefix {
  return { through, termRuns: runs.filter((run) => run.startIndex <= through), config }
}

const terms = [1, 1, 1, 2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 7, 7, 7, 7, 7, 7, 7, 7, 7]

test('a matching prefix rebuilds the same state and reads only the log above it', async () => {
  const log = await logWithTerms(terms)
  const hardState: HardState = { term: 7, vote: 1, commit: log.logEndOffset - 5 }
  const full = await restoreFromLog(log, hardState, config)
  assert.not.ok(full.prefixUsed)
  assert.equal(
    full.state.termRuns.map((run) => run.term),
    [1, 2, 4, 5, 7],
  )
  // A commit index ends an entry: the last offset of the entry that starts term 5's run, minus one.
  const through = full.state.termRuns[3]!.startIndex - 1
  const counter = countReads(log)
  const fast = await restoreFromLog(log, hardState, config, undefined, prefixOf(full.state.termRuns, through))
  assert.ok(fast.prefixUsed)
  assert.equal(fast.state, full.state)
  const withPrefix = counter.bytes
  counter.bytes = 0
  await restoreFromLog(log, hardState, config)
  assert.ok(
    withPrefix < counter.bytes / 2,
    `read ${withPrefix} bytes with the prefix, ${counter.bytes} without`,
  )
  await log.close()
})

test('a prefix whose terms the log does not hold, or that straddles an entry, is not used', async () => {
  const log = await logWithTerms(terms)
  const hardState: HardState = { term: 7, vote: 1, commit: log.logEndOffset - 1 }
  const full = await restoreFromLog(log, hardState, config)
  const through = full.state.termRuns[3]!.startIndex - 1
  const wrongTerm = { through, termRuns: [{ term: 1, startIndex: 0 }], config }
  const inside = prefixOf(full.state.termRuns, through - 1)
  for (const prefix of [wrongTerm, inside]) {
    const restored = await restoreFromLog(log, hardState, config, undefined, prefix)
    assert.not.ok(restored.prefixUsed, JSON.stringify(prefix))
    assert.equal(restored.state, full.state)
  }
  await log.close()
})

test('retention below the prefix clips it; past it or a log cut below it makes it unusable', async () => {
  const log = await logWithTerms(terms)
  const hardState: HardState = { term: 7, vote: 1, commit: log.logEndOffset - 1 }
  const runs = (await restoreFromLog(log, hardState, config)).state.termRuns
  const through = runs[4]!.startIndex - 1
  const prefix = prefixOf(runs, through)

  await log.truncatePrefix(runs[2]!.startIndex + 3)
  const clipped = await restoreFromLog(log, hardState, config, undefined, prefix)
  assert.ok(clipped.prefixUsed)
  assert.equal(clipped.state, (await restoreFromLog(log, hardState, config)).state)
  assert.is(clipped.state.termRuns[0]!.startIndex, log.logStartOffset)

  await log.truncatePrefix(through + 1)
  assert.not.ok((await restoreFromLog(log, hardState, config, undefined, prefix)).prefixUsed)
  await log.close()

  const cut = await logWithTerms(terms)
  await cut.truncateSuffix(through - 2)
  const after = await restoreFromLog(cut, { ...hardState, commit: through - 3 }, config, undefined, prefix)
  assert.not.ok(after.prefixUsed, 'the log ends below the prefix')
  await cut.close()
})

test('the prefix file: saved at most once per interval unless forced, damaged means absent, removed durably', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'weir-prefix-file-'))
  directories.push(directory)
  const file = new CommittedPrefixFile(nodeFileIo, directory)
  assert.is(await file.read(), undefined)
  const prefix = {
    through: 9,
    termRuns: [
      { term: 1, startIndex: 0 },
      { term: 3, startIndex: 5 },
    ],
    config,
  }
  await file.maybeWrite(prefix, 1_000)
  assert.equal(await file.read(), prefix)
  await file.maybeWrite({ ...prefix, through: 12 }, 2_000)
  assert.is((await file.read())?.through, 9, 'within the interval: not written')
  await file.maybeWrite({ ...prefix, through: 12 }, 2_000, { force: true })
  assert.is((await file.read())?.through, 12, 'forced (close)')
  writeFileSync(
    join(directory, committedPrefixFileName),
    '{"through":3,"termRuns":[{"term":2,"startIndex":0},{"term":1,"startIndex":2}],"config":{"voters":[1]}}',
  )
  assert.is(await file.read(), undefined, 'runs out of order')
  writeFileSync(join(directory, committedPrefixFileName), '{"thr')
  assert.is(await file.read(), undefined, 'torn')
  await file.remove()
  assert.not.ok(await nodeFileIo.exists(join(directory, committedPrefixFileName)))
})

test.run()
