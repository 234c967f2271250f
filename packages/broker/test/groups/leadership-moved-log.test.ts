// Proves how a coordinator partition logs a failed write: NOT_LEADER (its __consumer_offsets
// partition moved to another broker, a routine event) at info without a stack trace, while a real
// storage failure stays an error with its stack.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nodeTimers, WeirError } from '@weir/protocol'
import { PartitionLog } from '@weir/storage'
import pino from 'pino'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CoordinatorPartition } from '../../src/groups/coordinator-partition.js'

const root = mkdtempSync(join(tmpdir(), 'weir-moved-'))
test.after(() => rmSync(root, { recursive: true, force: true }))

interface Line {
  readonly level: number
  readonly msg: string
  readonly err?: { readonly stack?: string }
}

async function failedCommitLogs(failure: Error, name: string): Promise<Line[]> {
  const lines: Line[] = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) })
  const log = await PartitionLog.open(join(root, name), {})
  const failing = {
    read: log.read.bind(log),
    truncatePrefix: log.truncatePrefix.bind(log),
    get logStartOffset() {
      return log.logStartOffset
    },
    get logEndOffset() {
      return log.logEndOffset
    },
    append: () => Promise.reject(failure),
  }
  const partition = new CoordinatorPartition({
    partition: 3,
    log: failing,
    coordinator: { newMemberId: () => 'member', limits: {} },
    compactionRecordsMin: 10_000,
    logger,
    now: () => Date.now(),
    timers: nodeTimers,
  })
  await partition.load()
  const response = await partition.submit('OffsetCommit', (coordinator, requestId, nowMs) =>
    coordinator.commitOffsets(
      requestId,
      {
        groupId: 'billing',
        generationId: -1,
        memberId: '',
        topics: [{ name: 'orders', partitions: [{ partition: 0, offset: 5 }] }],
      },
      nowMs,
    ),
  )
  assert.is.not(response.topics[0]!.partitions[0]!.errorCode, 0, 'the commit is answered with an error')
  await partition.close('BROKER_SHUTTING_DOWN', 'test over')
  await log.close()
  return lines.filter((line) => line.msg.includes('storing group records'))
}

test('NOT_LEADER on __consumer_offsets is logged at info, without a stack trace', async () => {
  const lines = await failedCommitLogs(
    new WeirError('NOT_LEADER', 'this broker does not lead __consumer_offsets/3 (leadership moved)'),
    'moved',
  )
  assert.is(lines.length, 1, JSON.stringify(lines))
  assert.is(lines[0]!.level, 30, `level ${lines[0]!.level}: ${lines[0]!.msg}`)
  assert.is(lines[0]!.err, undefined, 'no error object, so no stack trace')
  assert.match(lines[0]!.msg, /leadership moved/)
})

test('a storage failure is still an error with its stack', async () => {
  const lines = await failedCommitLogs(new WeirError('STORAGE_ERROR', 'disk full'), 'broken')
  assert.is(lines.length, 1, JSON.stringify(lines))
  assert.is(lines[0]!.level, 50)
  assert.ok(lines[0]!.err?.stack?.includes('disk full'))
})

test.run()
