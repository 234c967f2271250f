// Proves `weir acl` flags become the binding or filter a user means: defaults for add, only the given flags narrow remove/list, a named resource is literal unless --prefixed, and contradictions are usage errors.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bindingFromFlags, filterFromFlags } from '../src/acl-flags.js'
import { UsageError } from '../src/flags.js'

function usage(run: () => unknown, pattern: RegExp): void {
  try {
    run()
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.instance(error, UsageError)
    assert.match((error as Error).message, pattern)
  }
}

test('add: allow from any host on a literal name unless told otherwise', () => {
  assert.equal(bindingFromFlags({ principal: 'User:alice', operation: 'write', topic: 'orders' }), {
    principal: 'User:alice',
    host: '*',
    operation: 'Write',
    permission: 'allow',
    resourceType: 'Topic',
    resourceName: 'orders',
    patternType: 'literal',
  })
  assert.equal(
    bindingFromFlags({
      principal: 'User:*',
      operation: 'Read',
      group: 'billing-',
      prefixed: true,
      deny: true,
      host: '10.0.0.1',
    }),
    {
      principal: 'User:*',
      host: '10.0.0.1',
      operation: 'Read',
      permission: 'deny',
      resourceType: 'Group',
      resourceName: 'billing-',
      patternType: 'prefixed',
    },
  )
  assert.equal(
    bindingFromFlags({ principal: 'User:ops', operation: 'Alter', cluster: true }).resourceName,
    'weir-cluster',
  )
})

test('add needs a principal, an operation and exactly one resource', () => {
  usage(() => bindingFromFlags({ operation: 'Read', topic: 'orders' }), /--principal/)
  usage(() => bindingFromFlags({ principal: 'User:alice', topic: 'orders' }), /--operation/)
  usage(() => bindingFromFlags({ principal: 'User:alice', operation: 'Read' }), /one resource/)
  usage(
    () => bindingFromFlags({ principal: 'User:alice', operation: 'Read', topic: 'a', group: 'b' }),
    /at most one resource/,
  )
  usage(() => bindingFromFlags({ principal: 'alice', operation: 'Read', topic: 'a' }), /User:NAME/)
  usage(
    () => bindingFromFlags({ principal: 'User:alice', operation: 'Eat', topic: 'a' }),
    /--operation must be one of/,
  )
  usage(
    () => bindingFromFlags({ principal: 'User:alice', operation: 'Alter', cluster: true, prefixed: true }),
    /--prefixed/,
  )
})

test('remove and list: only the flags given narrow the filter', () => {
  assert.equal(filterFromFlags({}), {})
  assert.equal(filterFromFlags({ principal: 'User:alice' }), { principal: 'User:alice' })
  assert.equal(filterFromFlags({ topic: 'orders' }), {
    resourceType: 'Topic',
    resourceName: 'orders',
    patternType: 'literal',
  })
  assert.equal(filterFromFlags({ allow: true }), { permission: 'allow' })
  usage(() => filterFromFlags({ allow: true, deny: true }), /not both/)
  usage(() => filterFromFlags({ prefixed: true }), /--prefixed needs/)
})

test.run()
