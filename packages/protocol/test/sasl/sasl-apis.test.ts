// Proves the SASL and user APIs (keys 40-44) survive encode → decode and refuse wrong shapes with INVALID_REQUEST naming the field.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ApiKeys,
  DeleteUser,
  ListUsers,
  SaslAuthenticate,
  SaslHandshake,
  SetUserCredential,
  scramCredential,
} from '../../src/index.js'
import { rejects, roundTrip } from '../api-test-support.js'

test('keys 40 to 44', () => {
  assert.equal(
    [SaslHandshake, SaslAuthenticate, SetUserCredential, DeleteUser, ListUsers].map((api) => api.apiKey),
    [40, 41, 42, 43, 44],
  )
  assert.is(ApiKeys.SaslHandshake, 40)
})

test('SaslHandshake and SaslAuthenticate round trip; oversized auth bytes are refused', () => {
  roundTrip(
    SaslHandshake,
    { mechanism: 'SCRAM-SHA-256' },
    { errorCode: 0, mechanisms: ['SCRAM-SHA-256', 'PLAIN'] },
  )
  roundTrip(
    SaslAuthenticate,
    { authBytes: Buffer.from('n,,n=user,r=abc') },
    { errorCode: 0, authBytes: Buffer.from('r=abcdef,s=AAAA,i=4096'), sessionLifetimeMs: 0 },
  )
  rejects(() => SaslHandshake.decodeRequest({ mechanism: 'X'.repeat(21) }), /SaslHandshake\.mechanism/)
  rejects(() => SaslAuthenticate.decodeRequest({ authBytes: Buffer.alloc(5000) }), /authBytes/)
})

test('SetUserCredential carries a credential, never a password, and checks its shape', () => {
  const credential = scramCredential('SCRAM-SHA-512', 'pw', Buffer.alloc(16, 1), 4096)
  roundTrip(SetUserCredential, { name: 'alice', mechanism: 'SCRAM-SHA-512', ...credential }, { errorCode: 0 })
  rejects(
    () => SetUserCredential.decodeRequest({ name: 'alice', mechanism: 'SCRAM-SHA-1', ...credential }),
    /mechanism/,
  )
  rejects(
    () => SetUserCredential.decodeRequest({ name: 'alice', mechanism: 'SCRAM-SHA-256', ...credential }),
    /storedKey must be 32 bytes/,
  )
  rejects(
    () => SetUserCredential.decodeRequest({ name: 'a\nb', mechanism: 'SCRAM-SHA-512', ...credential }),
    /name/,
  )
})

test('DeleteUser and ListUsers round trip', () => {
  roundTrip(DeleteUser, { name: 'alice' }, { errorCode: 0, deleted: true })
  roundTrip(ListUsers, {}, { errorCode: 0, users: [{ name: 'alice', mechanisms: ['SCRAM-SHA-256'] }] })
})

test.run()
