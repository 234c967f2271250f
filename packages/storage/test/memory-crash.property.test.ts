// Property: over random appends and crashes at random points (operations in flight, torn tails), a reopened log holds a prefix of what was appended that includes every batch acknowledged under fsync 'always' or covered by a finished flush().

import { withTimeout } from '@weir/protocol/testing'
import * as fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type FileIo, type FsyncPolicy, MemoryFileIo, PartitionLog } from '../src/index.js'
import { makeBatch, readAll, seededRandom, settle, values } from './helpers.js'

const directory = '/broker-1/data/t/0'

interface Round {
  readonly appends: number
  /** Append index after which a flush() is issued, or -1 for none. */
  readonly flushAfter: number
  readonly crashAfterTurns: number
  readonly tornSeed: number
}

const roundArbitrary = fc.record({
  appends: fc.integer({ min: 0, max: 25 }),
  flushAfter: fc.integer({ min: -1, max: 24 }),
  crashAfterTurns: fc.integer({ min: 0, max: 1500 }),
  tornSeed: fc.integer({ min: 0, max: 2 ** 31 }),
})

async function openLog(io: FileIo, fsync: FsyncPolicy, segmentBytes: number): Promise<PartitionLog> {
  return PartitionLog.open(directory, { io, config: { fsync, segmentBytes, indexIntervalBytes: 256 } })
}

async function durableDirectory(disk: MemoryFileIo): Promise<void> {
  await disk.mkdir(directory)
  for (let path = directory; path !== '/'; ) {
    path = path.slice(0, path.lastIndexOf('/')) || '/'
    await disk.syncDirectory(path)
  }
}

/** Every promise settles (they all can within microtasks), or the test fails rather than hangs. */
async function settledWithin(promises: readonly Promise<unknown>[], timeoutMs: number): Promise<void> {
  await withTimeout(Promise.allSettled(promises), timeoutMs, 'every operation to settle after the crash')
}

/** Runs one round on a fresh incarnation; returns the values the next incarnation must start with at least. */
async function runRound(
  disk: MemoryFileIo,
  fsync: FsyncPolicy,
  segmentBytes: number,
  round: Round,
  roundIndex: number,
  onDisk: readonly string[],
): Promise<{ issued: string[]; promised: number }> {
  const log = await openLog(disk.attach(), fsync, segmentBytes)
  assert.is(log.logEndOffset, onDisk.length)
  const issued = [...onDisk]
  let promised = onDisk.length
  /** Per append: how many values the log holds through it once it succeeded. */
  const succeededThrough: (number | undefined)[] = []
  let flushed = false
  const pending: Promise<unknown>[] = []
  for (let index = 0; index < round.appends; index++) {
    const name = `r${roundIndex}a${index}`
    issued.push(`${name}-0`, `${name}-1`)
    const through = issued.length
    const append = log.append(makeBatch(2, { label: name, valueBytes: 20 + ((index * 37) % 300) }))
    pending.push(append.then(() => (succeededThrough[index] = through)))
    if (index === round.flushAfter) pending.push(log.flush().then(() => (flushed = true)))
  }
  await settle(round.crashAfterTurns)
  disk.crash(seededRandom(round.tornSeed))
  await settledWithin(pending, 2000)
  // Under 'always' an acknowledged append is durable, however late its acknowledgement arrived;
  // a finished flush() covers every append before it that succeeded (a failed one holds no offset).
  const acknowledged = fsync === 'always' ? succeededThrough : []
  const flushCovered = flushed ? succeededThrough.slice(0, round.flushAfter + 1) : []
  for (const through of [...acknowledged, ...flushCovered]) promised = Math.max(promised, through ?? 0)
  return { issued, promised }
}

test('random appends and crashes: the reopened log is a prefix of what was appended and keeps every promised batch', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<FsyncPolicy>('always', 'never'),
      fc.integer({ min: 1024, max: 4096 }),
      fc.constantFrom(0, 1, 3, -1),
      fc.array(roundArbitrary, { minLength: 1, maxLength: 4 }),
      async (fsync, segmentBytes, operationTurns, rounds) => {
        // -1: each operation takes a seeded 0 to 5 turns, so concurrent ones complete out of order.
        const latency = seededRandom(rounds[0]!.tornSeed + 1)
        const turns = operationTurns >= 0 ? operationTurns : () => Math.floor(latency() * 6)
        const disk = new MemoryFileIo({ operationTurns: turns })
        await durableDirectory(disk)
        let onDisk: string[] = []
        for (const [roundIndex, round] of rounds.entries()) {
          const { issued, promised } = await runRound(disk, fsync, segmentBytes, round, roundIndex, onDisk)
          const log = await openLog(disk.attach(), fsync, segmentBytes)
          const records = await readAll(log)
          for (const [index, record] of records.entries()) assert.is(record.offset, index)
          const kept = values(records).map((value) => value.replace(/\.+$/, ''))
          assert.equal(kept, issued.slice(0, kept.length), 'a prefix of what was appended')
          assert.ok(kept.length >= promised, `${promised / 2} batches promised, ${kept.length / 2} kept`)
          await log.close()
          onDisk = kept
        }
      },
    ),
    {
      numRuns: 150,
      examples: [
        // An append whose waiter arrived as a group-commit loop was ending hung forever (fixed).
        [
          'always',
          1024,
          -1,
          [
            { appends: 5, flushAfter: 0, crashAfterTurns: 59, tornSeed: 269774185 },
            { appends: 25, flushAfter: 21, crashAfterTurns: 437, tornSeed: 0 },
          ],
        ],
      ],
    },
  )
})

test.run()
