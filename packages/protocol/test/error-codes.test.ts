// Proves the shared error table is consistent, documented, and that WeirError carries its entry.
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ErrorCodes, type ErrorName, errorNameOf, isWeirError, WeirError } from '../src/index.js'

const names = Object.keys(ErrorCodes) as ErrorName[]

test('every code number is unique and maps back to its name', () => {
  const numbers = names.map((name) => ErrorCodes[name].code)
  assert.is(new Set(numbers).size, numbers.length)
  for (const name of names) assert.is(errorNameOf(ErrorCodes[name].code), name)
  assert.is(errorNameOf(65_000), undefined)
})

test('every code has a message that says what to do and is documented in the README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  for (const name of names) {
    assert.ok(ErrorCodes[name].message.length > 20, name)
    assert.ok(readme.includes(`\`${name}\``), `${name} is missing from packages/protocol/README.md`)
  }
})

test('WeirError carries code, wire number, retriable flag and cause', () => {
  const cause = new Error('ENOSPC')
  const error = new WeirError('DISK_FULL', 'appending to orders-0', { cause })
  assert.is(error.name, 'WeirError')
  assert.is(error.code, 'DISK_FULL')
  assert.is(error.errorCode, ErrorCodes.DISK_FULL.code)
  assert.is(error.retriable, true)
  assert.is(error.cause, cause)
  assert.match(error.message, /^appending to orders-0\. The disk holding the log is full/)
  assert.ok(isWeirError(error, 'DISK_FULL'))
  assert.not.ok(isWeirError(error, 'NOT_LEADER'))
  assert.not.ok(isWeirError(cause))
})

test.run()
