// Proves the image's ACL set: created bindings are a set, deletion by filter removes exactly what matches, and replaying the same records gives the same set (what every broker does).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ClusterImage, type MetadataRecord } from '../../src/cluster/cluster-image.js'
import { checkMetadataRecord } from '../../src/cluster/controller.js'

const binding = (principal: string, resourceName: string) =>
  ({
    principal,
    host: '*',
    operation: 'Read',
    permission: 'allow',
    resourceType: 'Topic',
    resourceName,
    patternType: 'literal',
  }) as const

const records: MetadataRecord[] = [
  { type: 'aclsCreated', bindings: [binding('User:alice', 'orders'), binding('User:bob', 'orders')] },
  { type: 'aclsCreated', bindings: [binding('User:alice', 'orders')] },
  { type: 'topicCreated', name: 'orders', id: 'x', config: {}, replicas: [[1]] },
  { type: 'aclsDeleted', filters: [{ principal: 'User:bob' }] },
]

test('created bindings form a set and a filter deletes what it selects', () => {
  const image = new ClusterImage()
  for (const record of records) image.apply(record)
  assert.equal(image.acls.all(), [binding('User:alice', 'orders')])
  assert.ok(image.topic('orders'))
})

test('records survive the controller log shape check unchanged and replay to the same set', () => {
  const replayed = new ClusterImage()
  for (const record of records) replayed.apply(checkMetadataRecord(JSON.parse(JSON.stringify(record))))
  assert.equal(replayed.acls.all(), [binding('User:alice', 'orders')])
})

test('a malformed ACL record is INVALID_REQUEST', () => {
  assert.throws(
    () => checkMetadataRecord({ type: 'aclsCreated', bindings: [{ principal: 'alice' }] }),
    /principal/,
  )
  assert.throws(() => checkMetadataRecord({ type: 'aclsDeleted' }), /filters/)
})

test.run()
