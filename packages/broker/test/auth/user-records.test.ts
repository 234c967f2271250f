// Proves SCRAM users travel through the controller log intact: a credential record survives msgpack and the log's shape check, replaying the log rebuilds the same users, a delete removes them, and a user record never touches topics.
import { decodeBody, encodeBody, encodeRecordBatch, scramCredential } from '@weir/protocol'
import { EntryKind } from '@weir/raft'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ClusterImage, type MetadataRecord } from '../../src/cluster/cluster-image.js'
import { checkMetadataRecord } from '../../src/cluster/controller.js'
import { applyCommittedEntry } from '../../src/cluster/metadata-apply.js'

const credential = scramCredential('SCRAM-SHA-256', 'pencil', Buffer.alloc(16, 3), 4096)
const setAlice: MetadataRecord = {
  type: 'userCredentialSet',
  name: 'alice',
  mechanism: 'SCRAM-SHA-256',
  ...credential,
  change: 'c1',
}

function entryOf(records: readonly MetadataRecord[]) {
  const data = encodeRecordBatch(
    records.map((record) => ({ value: encodeBody(record) })),
    { timestamp: 0 },
  )
  return { kind: EntryKind.normal, term: 1, index: 1, data }
}

test('a credential record survives msgpack and the shape check, keys as Buffers', () => {
  const checked = checkMetadataRecord(decodeBody(encodeBody(setAlice), 'test'))
  assert.equal(checked, setAlice)
  assert.ok(checked.type === 'userCredentialSet' && Buffer.isBuffer(checked.storedKey))
})

test('replaying the log rebuilds the users; a delete removes every mechanism', () => {
  const image = new ClusterImage()
  const entry = entryOf([
    setAlice,
    {
      type: 'userCredentialSet',
      name: 'alice',
      mechanism: 'SCRAM-SHA-512',
      ...scramCredential('SCRAM-SHA-512', 'pencil', Buffer.alloc(16, 4), 4096),
    },
    { type: 'userCredentialSet', name: 'bob', mechanism: 'SCRAM-SHA-256', ...credential },
  ])
  const { skipped } = applyCommittedEntry(image, entry as never)
  assert.equal(skipped, [], 'user records pass the committed-record check')
  assert.equal(image.users.list(), [
    { name: 'alice', mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'] },
    { name: 'bob', mechanisms: ['SCRAM-SHA-256'] },
  ])
  assert.ok(image.users.credential('alice', 'SCRAM-SHA-256')?.storedKey.equals(credential.storedKey))
  image.apply({ type: 'userDeleted', name: 'alice' })
  assert.equal(image.users.list(), [{ name: 'bob', mechanisms: ['SCRAM-SHA-256'] }])
  assert.is(image.topics().length, 0)
})

test('a user named like a topic leaves the topic alone', () => {
  const image = new ClusterImage()
  image.apply({ type: 'topicCreated', name: 'orders', id: 't1', config: {}, replicas: [[1]] })
  image.apply({ ...setAlice, name: 'orders' })
  image.apply({ type: 'userDeleted', name: 'orders' })
  assert.is(image.topic('orders')?.id, 't1')
})

test('a malformed user record is INVALID_REQUEST naming the field', () => {
  const bad = (value: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(() => checkMetadataRecord(decodeBody(encodeBody(value), 'test')), pattern)
  bad({ ...setAlice, mechanism: 'MD5' }, /mechanism/)
  bad({ ...setAlice, iterations: 10 }, /iterations/)
  bad({ ...setAlice, storedKey: Buffer.alloc(5) }, /storedKey/)
  bad({ ...setAlice, salt: 'not bytes' }, /salt/)
  bad({ type: 'userDeleted', name: '' }, /name/)
})

test.run()
