// Proves the client's ACL admin against a real broker with --authorizer acl: createAcls with Kafka's defaults, describeAcls by filter, deleteAcls returning what it removed, a refusal as CLUSTER_AUTHORIZATION_FAILED, and a bad binding as INVALID_CONFIG before any request.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '@weir/broker'
import { Client, isWeirError } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const dataDir = mkdtempSync(join(tmpdir(), 'weir-acl-admin-'))
let broker: Broker
let client: Client

test.before(async () => {
  broker = await Broker.start({ dataDir, listen: '127.0.0.1:0', logLevel: 'silent', authorizer: 'acl' })
  client = new Client({ brokers: [`127.0.0.1:${broker.address.port}`] })
})

test.after(async () => {
  await client.close()
  await broker.close()
  rmSync(dataDir, { recursive: true, force: true })
})

test('without Cluster:Alter, createAcls is CLUSTER_AUTHORIZATION_FAILED', async () => {
  try {
    await client
      .admin()
      .createAcls([{ principal: 'User:ANONYMOUS', operation: 'Alter', resourceType: 'Cluster' }])
    assert.unreachable('the anonymous client may not manage ACLs yet')
  } catch (error) {
    assert.ok(isWeirError(error, 'CLUSTER_AUTHORIZATION_FAILED'), String(error))
  }
})

test('create with defaults, describe by filter, delete returns what it removed', async () => {
  // What an operator's first binding does (here committed directly, as a super user would).
  await broker.cluster.submit(
    {
      type: 'aclsCreated',
      bindings: [
        {
          principal: 'User:ANONYMOUS',
          host: '*',
          operation: 'Alter',
          permission: 'allow',
          resourceType: 'Cluster',
          resourceName: 'weir-cluster',
          patternType: 'literal',
        },
      ],
    },
    5000,
  )
  const admin = client.admin()
  await admin.createAcls([
    { principal: 'User:alice', operation: 'Write', resourceType: 'Topic', resourceName: 'orders' },
    {
      principal: 'User:bob',
      operation: 'Read',
      resourceType: 'Group',
      resourceName: 'billing-',
      patternType: 'prefixed',
      permission: 'deny',
    },
  ])
  const alice = await admin.describeAcls({ principal: 'User:alice' })
  assert.equal(alice, [
    {
      principal: 'User:alice',
      host: '*',
      operation: 'Write',
      permission: 'allow',
      resourceType: 'Topic',
      resourceName: 'orders',
      patternType: 'literal',
    },
  ])
  assert.is((await admin.describeAcls()).length, 3)
  const removed = await admin.deleteAcls([{ resourceType: 'Group' }])
  assert.equal(
    removed.map((binding) => binding.principal),
    ['User:bob'],
  )
  assert.is((await admin.describeAcls({ resourceType: 'Group' })).length, 0)
})

test('a bad binding is INVALID_CONFIG naming the field, before any request', async () => {
  try {
    await client
      .admin()
      .createAcls([{ principal: 'alice', operation: 'Read', resourceType: 'Topic', resourceName: 'x' }])
    assert.unreachable('alice is not a principal')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
    assert.match((error as Error).message, /acl\.principal must be User:<name>/)
  }
})

test.run()
