// Proves the authorizer's rules as a table: deny beats allow, All, implied Describe, prefixed and wildcard names, wildcard principal and host, super users, and open when disabled.
import type { AclBinding } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type AccessRequest, authorizes } from '../../src/acl/authorizer.js'

const on = { enabled: true, superUsers: ['User:admin'] }

function allow(
  principal: string,
  operation: AclBinding['operation'],
  name: string,
  more: Partial<AclBinding> = {},
) {
  return {
    principal,
    host: '*',
    operation,
    permission: 'allow',
    resourceType: 'Topic',
    resourceName: name,
    patternType: 'literal',
    ...more,
  } as AclBinding
}

function deny(
  principal: string,
  operation: AclBinding['operation'],
  name: string,
  more: Partial<AclBinding> = {},
) {
  return allow(principal, operation, name, { permission: 'deny', ...more })
}

function ask(
  principal: string,
  operation: AclBinding['operation'],
  name: string,
  more: Partial<AccessRequest> = {},
) {
  return {
    principal,
    host: '10.0.0.1',
    operation,
    resourceType: 'Topic',
    resourceName: name,
    ...more,
  } as const
}

const cases: [string, AclBinding[], AccessRequest, boolean][] = [
  ['no binding denies', [], ask('User:alice', 'Read', 'orders'), false],
  [
    'a literal allow grants',
    [allow('User:alice', 'Write', 'orders')],
    ask('User:alice', 'Write', 'orders'),
    true,
  ],
  [
    'another operation is not granted',
    [allow('User:alice', 'Write', 'orders')],
    ask('User:alice', 'Read', 'orders'),
    false,
  ],
  [
    'another topic is not granted',
    [allow('User:alice', 'Write', 'orders')],
    ask('User:alice', 'Write', 'payments'),
    false,
  ],
  [
    'another principal is not granted',
    [allow('User:alice', 'Write', 'orders')],
    ask('User:bob', 'Write', 'orders'),
    false,
  ],
  [
    'another resource type is not granted',
    [allow('User:alice', 'Read', 'orders')],
    ask('User:alice', 'Read', 'orders', { resourceType: 'Group' }),
    false,
  ],
  [
    'deny beats allow',
    [allow('User:alice', 'Read', 'orders'), deny('User:alice', 'Read', 'orders')],
    ask('User:alice', 'Read', 'orders'),
    false,
  ],
  [
    'deny beats allow whatever the order',
    [deny('User:*', 'All', 'orders'), allow('User:alice', 'All', '*')],
    ask('User:alice', 'Write', 'orders'),
    false,
  ],
  [
    'a deny of another operation leaves the allow',
    [allow('User:alice', 'All', 'orders'), deny('User:alice', 'Delete', 'orders')],
    ask('User:alice', 'Read', 'orders'),
    true,
  ],
  [
    'All covers every operation',
    [allow('User:alice', 'All', 'orders')],
    ask('User:alice', 'Alter', 'orders'),
    true,
  ],
  [
    'Read implies Describe',
    [allow('User:alice', 'Read', 'orders')],
    ask('User:alice', 'Describe', 'orders'),
    true,
  ],
  [
    'Write implies Describe',
    [allow('User:alice', 'Write', 'orders')],
    ask('User:alice', 'Describe', 'orders'),
    true,
  ],
  [
    'Delete implies Describe',
    [allow('User:alice', 'Delete', 'orders')],
    ask('User:alice', 'Describe', 'orders'),
    true,
  ],
  [
    'Alter implies Describe',
    [allow('User:alice', 'Alter', 'orders')],
    ask('User:alice', 'Describe', 'orders'),
    true,
  ],
  [
    'Create does not imply Describe',
    [allow('User:alice', 'Create', 'orders')],
    ask('User:alice', 'Describe', 'orders'),
    false,
  ],
  [
    'Describe does not imply Read',
    [allow('User:alice', 'Describe', 'orders')],
    ask('User:alice', 'Read', 'orders'),
    false,
  ],
  [
    'a denied Read does not deny Describe',
    [allow('User:alice', 'Describe', 'orders'), deny('User:alice', 'Read', 'orders')],
    ask('User:alice', 'Describe', 'orders'),
    true,
  ],
  [
    'a prefixed name grants names under it',
    [allow('User:alice', 'Read', 'orders-', { patternType: 'prefixed' })],
    ask('User:alice', 'Read', 'orders-eu'),
    true,
  ],
  [
    'a prefixed name does not grant other names',
    [allow('User:alice', 'Read', 'orders-', { patternType: 'prefixed' })],
    ask('User:alice', 'Read', 'orders'),
    false,
  ],
  [
    'a literal name is not a prefix',
    [allow('User:alice', 'Read', 'orders')],
    ask('User:alice', 'Read', 'orders-eu'),
    false,
  ],
  [
    'a literal * grants every name',
    [allow('User:alice', 'Read', '*')],
    ask('User:alice', 'Read', 'anything'),
    true,
  ],
  [
    'a prefixed * is only a prefix',
    [allow('User:alice', 'Read', '*', { patternType: 'prefixed' })],
    ask('User:alice', 'Read', 'anything'),
    false,
  ],
  [
    'User:* grants every principal',
    [allow('User:*', 'Read', 'orders')],
    ask('User:ANONYMOUS', 'Read', 'orders'),
    true,
  ],
  [
    'a binding for one host grants that host',
    [allow('User:alice', 'Read', 'orders', { host: '10.0.0.1' })],
    ask('User:alice', 'Read', 'orders'),
    true,
  ],
  [
    'a binding for one host does not grant another',
    [allow('User:alice', 'Read', 'orders', { host: '10.0.0.2' })],
    ask('User:alice', 'Read', 'orders'),
    false,
  ],
  [
    'a dual-stack socket address matches the IPv4 binding',
    [allow('User:alice', 'Read', 'orders', { host: '10.0.0.1' })],
    ask('User:alice', 'Read', 'orders', { host: '::ffff:10.0.0.1' }),
    true,
  ],
  [
    'a deny for one host leaves the others',
    [allow('User:alice', 'Read', 'orders'), deny('User:alice', 'Read', 'orders', { host: '10.0.0.9' })],
    ask('User:alice', 'Read', 'orders'),
    true,
  ],
  ['a super user needs no binding', [], ask('User:admin', 'Delete', 'orders'), true],
  ['a super user passes a deny', [deny('User:*', 'All', '*')], ask('User:admin', 'Delete', 'orders'), true],
  [
    'Cluster bindings grant Cluster operations',
    [allow('User:ops', 'Alter', 'weir-cluster', { resourceType: 'Cluster' })],
    ask('User:ops', 'Alter', 'weir-cluster', { resourceType: 'Cluster' }),
    true,
  ],
]

for (const [name, bindings, request, expected] of cases) {
  test(name, () => {
    assert.is(authorizes(on, bindings, request), expected)
  })
}

test('disabled, everything is allowed whatever the bindings', () => {
  const off = { enabled: false, superUsers: [] }
  assert.ok(authorizes(off, [], ask('User:ANONYMOUS', 'Delete', 'orders')))
  assert.ok(authorizes(off, [deny('User:*', 'All', '*')], ask('User:ANONYMOUS', 'Delete', 'orders')))
})

test.run()
