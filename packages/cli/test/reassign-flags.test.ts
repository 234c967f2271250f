// Proves `weir topics reassign` checks its flags before sending anything (partition, distinct replica ids in range, throttle) and that the reassignments table shows each move's progress.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../src/flags.js'
import { parseReassign, reassignmentsTable } from '../src/reassign-command.js'

const refused = (run: () => unknown, pattern: RegExp) =>
  assert.throws(run, (error: unknown) => error instanceof UsageError && pattern.test(error.message))

test('a full reassign request, with and without --no-wait and a throttle', () => {
  assert.equal(parseReassign('orders', { partition: '2', replicas: '1,2,4' }), {
    topic: 'orders',
    partition: 2,
    replicas: [1, 2, 4],
    wait: true,
  })
  assert.equal(
    parseReassign('orders', {
      partition: '0',
      replicas: '4',
      'throttle-bytes-per-sec': '1048576',
      'no-wait': true,
    }),
    { topic: 'orders', partition: 0, replicas: [4], throttleBytesPerSec: 1_048_576, wait: false },
  )
})

test('missing or bad flags are usage errors naming what to fix', () => {
  refused(() => parseReassign(undefined, { partition: '0', replicas: '1' }), /needs a topic NAME/)
  refused(() => parseReassign('orders', { replicas: '1' }), /needs --partition P/)
  refused(() => parseReassign('orders', { partition: '0' }), /needs --replicas/)
  refused(() => parseReassign('orders', { partition: '0', replicas: '1,1' }), /names a broker twice/)
  refused(
    () => parseReassign('orders', { partition: '0', replicas: '1,0' }),
    /--id must be an integer from 1/,
  )
  refused(() => parseReassign('orders', { partition: '0', replicas: '' }), /--id must be/)
  refused(
    () => parseReassign('orders', { partition: '0', replicas: '1', 'throttle-bytes-per-sec': '0' }),
    /--throttle-bytes-per-sec must be an integer from 1/,
  )
})

test('the reassignments table shows replicas, target and each new replica’s progress', () => {
  assert.is(reassignmentsTable([]), 'no reassignment is running\n')
  const text = reassignmentsTable([
    {
      topic: 'orders',
      partition: 2,
      replicas: [1, 2, 3],
      target: [1, 2, 4],
      adding: [4],
      removing: [3],
      leader: 1,
      progress: [{ broker: 4, caughtUpPercent: 42, offsetsBehind: 1200 }],
      throttleBytesPerSec: 1000,
    },
  ])
  assert.match(text, /orders\s+2\s+1,2,3\s+1,2,4\s+1\s+broker 4 42% \(1200 offsets behind\)\s+1000/)
})

test.run()
