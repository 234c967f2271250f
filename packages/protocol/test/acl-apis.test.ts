// Proves the ACL APIs (keys 45-47) survive encode → decode, and that a bad binding or filter is INVALID_REQUEST naming the field.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { aclFilterMatches, decodeAclBinding } from '../src/acl.js'
import { ApiKeys, apiByKey, CreateAcls, DeleteAcls, DescribeAcls } from '../src/apis/index.js'
import { rejects, roundTrip } from './api-test-support.js'

const writeOrders = {
  principal: 'User:alice',
  host: '*',
  operation: 'Write',
  permission: 'allow',
  resourceType: 'Topic',
  resourceName: 'orders',
  patternType: 'literal',
} as const

test('ACL APIs use keys 45-47 and are found by key', () => {
  assert.is(ApiKeys.CreateAcls, 45)
  assert.is(apiByKey(45)?.name, 'CreateAcls')
  assert.is(apiByKey(46)?.name, 'DeleteAcls')
  assert.is(apiByKey(47)?.name, 'DescribeAcls')
})

test('CreateAcls, DeleteAcls and DescribeAcls round trip', () => {
  roundTrip(CreateAcls, { creations: [writeOrders] }, { errorCode: 0 })
  roundTrip(
    DeleteAcls,
    { filters: [{ principal: 'User:alice' }, {}] },
    { errorCode: 0, deleted: [writeOrders] },
  )
  roundTrip(DescribeAcls, { filter: { resourceType: 'Topic' } }, { errorCode: 0, bindings: [writeOrders] })
})

test('a refused request decodes with empty lists', () => {
  assert.equal(DescribeAcls.decodeResponse({ errorCode: 41, errorMessage: 'no' }), {
    errorCode: 41,
    errorMessage: 'no',
    bindings: [],
  })
})

test('bad bindings and filters name the field', () => {
  rejects(
    () => CreateAcls.decodeRequest({ creations: [{ ...writeOrders, operation: 'Eat' }] }),
    /creations\[0\]\.operation/,
  )
  rejects(
    () => CreateAcls.decodeRequest({ creations: [{ ...writeOrders, principal: 'alice' }] }),
    /principal/,
  )
  rejects(() => CreateAcls.decodeRequest({ creations: [{ ...writeOrders, host: '' }] }), /host/)
  rejects(
    () => CreateAcls.decodeRequest({ creations: [{ ...writeOrders, resourceType: 'Cluster' }] }),
    /resourceName of a Cluster binding must be weir-cluster/,
  )
  rejects(() => DeleteAcls.decodeRequest({ filters: [{ permission: 'maybe' }] }), /filters\[0\]\.permission/)
  rejects(() => DescribeAcls.decodeRequest({ filter: { patternType: 'regex' } }), /filter\.patternType/)
})

test('a filter selects bindings whose named fields are equal', () => {
  const binding = decodeAclBinding(writeOrders, 'b')
  assert.ok(aclFilterMatches({}, binding))
  assert.ok(aclFilterMatches({ principal: 'User:alice', resourceName: 'orders' }, binding))
  assert.not.ok(aclFilterMatches({ principal: 'User:bob' }, binding))
  // A filter is not a pattern: it selects the stored prefixed binding, not names under it.
  assert.not.ok(aclFilterMatches({ resourceName: 'ord' }, binding))
})

test.run()
