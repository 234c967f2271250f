// Proves numeric flags: each range is enforced with a message naming it, and a negative number after a flag is read as its value.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../src/flags.js'
import { attachNegativeValues } from '../src/negative-values.js'
import { flagRanges, integerFlag } from '../src/numeric-flags.js'

test('every flag accepts its bounds and refuses one past them, non-integers and unsafe integers', () => {
  for (const [flag, { min, max }] of Object.entries(flagRanges) as [
    keyof typeof flagRanges,
    { min: number; max: number },
  ][]) {
    assert.is(integerFlag(String(min), flag), min)
    assert.is(integerFlag(String(max), flag), max)
    for (const bad of [
      String(min - 1),
      String(max + 2),
      '1.5',
      '1e3',
      '0x10',
      '',
      'ten',
      '99999999999999999999',
    ]) {
      assert.throws(
        () => integerFlag(bad, flag),
        (error: unknown) =>
          error instanceof UsageError &&
          error.message === `${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(bad)}`,
        `${flag} ${bad}`,
      )
    }
  }
  assert.is(integerFlag(undefined, '--partitions'), undefined)
})

test('a negative number after a flag that takes a value becomes its value; other arguments are left alone', () => {
  const options = {
    partitions: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    level: { type: 'string', short: 'l' },
  } as const
  assert.equal(attachNegativeValues(['create', 'x', '--partitions', '-1'], options), [
    'create',
    'x',
    '--partitions=-1',
  ])
  assert.equal(attachNegativeValues(['-l', '-2'], options), ['-l-2'])
  assert.equal(attachNegativeValues(['--help', '-1'], options), ['--help', '-1'])
  assert.equal(attachNegativeValues(['--partitions', '-x'], options), ['--partitions', '-x'])
  assert.equal(attachNegativeValues(['--', '--partitions', '-1'], options), ['--', '--partitions', '-1'])
})

test.run()
