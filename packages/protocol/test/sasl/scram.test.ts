// SCRAM reproduces the RFC 7677 SCRAM-SHA-256 example byte for byte, and refuses wrong proofs, foreign nonces and bad messages.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  checkServerFinal,
  clientFinalMessage,
  clientFirstMessage,
  fakeScramCredential,
  parseClientFirst,
  parsePlainMessage,
  parseServerFirst,
  plainMessage,
  scramCredential,
  serverFirstMessage,
  verifyClientFinal,
  verifyPlainPassword,
} from '../../src/sasl/scram.js'
import { isWeirError } from '../../src/weir-error.js'

// RFC 7677 section 3.
const rfc = {
  user: 'user',
  password: 'pencil',
  clientNonce: 'rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
}

function failsWith(run: () => unknown, code: string, pattern: RegExp): void {
  try {
    run()
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.ok(isWeirError(error, code as never), String(error))
    assert.match((error as Error).message, pattern)
  }
}

test('the client side produces the RFC 7677 messages and accepts its server-final', () => {
  const first = clientFirstMessage(rfc.user, rfc.clientNonce)
  assert.is(first.message, rfc.clientFirst)
  const serverFirst = parseServerFirst(rfc.serverFirst, rfc.clientNonce)
  assert.is(serverFirst.iterations, 4096)
  const final = clientFinalMessage('SCRAM-SHA-256', rfc.password, first, serverFirst)
  assert.is(final.message, rfc.clientFinal)
  checkServerFinal(rfc.serverFinal, final.serverSignature)
})

test('the server side, from a stored credential only, answers the RFC 7677 server-first and server-final', () => {
  const credential = scramCredential('SCRAM-SHA-256', rfc.password, rfc.salt, 4096)
  const clientFirst = parseClientFirst(rfc.clientFirst)
  assert.is(clientFirst.username, 'user')
  const serverFirst = serverFirstMessage(clientFirst.clientNonce, rfc.serverNonce, credential)
  assert.is(serverFirst.message, rfc.serverFirst)
  assert.is(
    verifyClientFinal('SCRAM-SHA-256', credential, clientFirst, serverFirst, rfc.clientFinal),
    rfc.serverFinal,
  )
})

test('a wrong password is refused by the server', () => {
  const credential = scramCredential('SCRAM-SHA-256', 'other', rfc.salt, 4096)
  const clientFirst = parseClientFirst(rfc.clientFirst)
  const serverFirst = serverFirstMessage(clientFirst.clientNonce, rfc.serverNonce, credential)
  failsWith(
    () => verifyClientFinal('SCRAM-SHA-256', credential, clientFirst, serverFirst, rfc.clientFinal),
    'SASL_AUTHENTICATION_FAILED',
    /wrong user name or password/,
  )
})

test('a client-final whose nonce is not the combined nonce is refused', () => {
  const credential = scramCredential('SCRAM-SHA-256', rfc.password, rfc.salt, 4096)
  const clientFirst = parseClientFirst(rfc.clientFirst)
  const serverFirst = serverFirstMessage(clientFirst.clientNonce, 'another-server-nonce-0000', credential)
  failsWith(
    () => verifyClientFinal('SCRAM-SHA-256', credential, clientFirst, serverFirst, rfc.clientFinal),
    'SASL_AUTHENTICATION_FAILED',
    /nonce/,
  )
})

test("librdkafka's client-final (its nonce again before the combined one) is accepted; any other prefix is not", () => {
  const credential = scramCredential('SCRAM-SHA-256', rfc.password, rfc.salt, 4096)
  const first = clientFirstMessage(rfc.user, rfc.clientNonce)
  const clientFirst = parseClientFirst(rfc.clientFirst)
  const serverFirst = serverFirstMessage(clientFirst.clientNonce, rfc.serverNonce, credential)
  const prefixed = (prefix: string) =>
    clientFinalMessage('SCRAM-SHA-256', rfc.password, first, {
      ...serverFirst,
      nonce: `${prefix}${serverFirst.nonce}`,
    })
  const librdkafka = prefixed(rfc.clientNonce)
  assert.ok(librdkafka.message.startsWith(`c=biws,r=${rfc.clientNonce}${rfc.clientNonce}${rfc.serverNonce},`))
  assert.is(
    verifyClientFinal('SCRAM-SHA-256', credential, clientFirst, serverFirst, librdkafka.message),
    `v=${librdkafka.serverSignature.toString('base64')}`,
  )
  failsWith(
    () => verifyClientFinal('SCRAM-SHA-256', credential, clientFirst, serverFirst, prefixed('x').message),
    'SASL_AUTHENTICATION_FAILED',
    /nonce/,
  )
})

test('a server-first that does not extend the client nonce, or has few iterations, is refused by the client', () => {
  failsWith(
    () => parseServerFirst('r=someoneelsesnonce12345,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096', rfc.clientNonce),
    'SASL_AUTHENTICATION_FAILED',
    /extend the client nonce/,
  )
  failsWith(
    () => parseServerFirst(rfc.serverFirst.replace('i=4096', 'i=1'), rfc.clientNonce),
    'SASL_AUTHENTICATION_FAILED',
    /iteration count/,
  )
})

test('a forged server-final is refused by the client', () => {
  const first = clientFirstMessage(rfc.user, rfc.clientNonce)
  const final = clientFinalMessage(
    'SCRAM-SHA-256',
    rfc.password,
    first,
    parseServerFirst(rfc.serverFirst, rfc.clientNonce),
  )
  failsWith(
    () => checkServerFinal('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', final.serverSignature),
    'SASL_AUTHENTICATION_FAILED',
    /server signature/,
  )
})

test('client-first needs the gs2 header n,, and a nonce without commas or control characters', () => {
  failsWith(() => parseClientFirst('y,,n=user,r=rOprNGfwEbeRWgbNEkqO'), 'SASL_AUTHENTICATION_FAILED', /n,,/)
  failsWith(
    () => parseClientFirst('n,a=bob,n=user,r=rOprNGfwEbeRWgbNEkqO'),
    'SASL_AUTHENTICATION_FAILED',
    /n,,/,
  )
  failsWith(() => parseClientFirst('n,,n=user,r=short'), 'SASL_AUTHENTICATION_FAILED', /client nonce/)
  failsWith(
    () => parseClientFirst('n,,n=user,r=rOprNGfwEbe\x01RWgbNEkqO'),
    'SASL_AUTHENTICATION_FAILED',
    /client nonce/,
  )
  failsWith(
    () => parseClientFirst('n,,n=us=41er,r=rOprNGfwEbeRWgbNEkqO'),
    'SASL_AUTHENTICATION_FAILED',
    /escape/,
  )
})

test('user names with , and = survive the saslname escaping', () => {
  const first = clientFirstMessage('a,b=c', rfc.clientNonce)
  assert.is(first.message, 'n,,n=a=2Cb=3Dc,r=rOprNGfwEbeRWgbNEkqO')
  assert.is(parseClientFirst(first.message).username, 'a,b=c')
})

test('SCRAM-SHA-512 completes a full exchange', () => {
  const salt = Buffer.alloc(16, 7)
  const credential = scramCredential('SCRAM-SHA-512', 'secret', salt, 4096)
  assert.is(credential.storedKey.length, 64)
  const first = clientFirstMessage('alice', 'clientnonce0123456789')
  const clientFirst = parseClientFirst(first.message)
  const serverFirst = serverFirstMessage(clientFirst.clientNonce, 'servernonce0123456789', credential)
  const final = clientFinalMessage(
    'SCRAM-SHA-512',
    'secret',
    first,
    parseServerFirst(serverFirst.message, first.clientNonce),
  )
  const serverFinal = verifyClientFinal('SCRAM-SHA-512', credential, clientFirst, serverFirst, final.message)
  checkServerFinal(serverFinal, final.serverSignature)
})

test('an unknown user gets a stable fake credential shaped like a real one', () => {
  const secret = Buffer.alloc(32, 1)
  const one = fakeScramCredential('SCRAM-SHA-256', secret, 'mallory')
  const again = fakeScramCredential('SCRAM-SHA-256', secret, 'mallory')
  const other = fakeScramCredential('SCRAM-SHA-256', secret, 'eve')
  assert.equal(one, again)
  assert.not.equal(one.salt, other.salt)
  assert.is(one.storedKey.length, 32)
  assert.is(one.iterations, 4096)
})

test('a credential below 4096 iterations is refused', () => {
  failsWith(() => scramCredential('SCRAM-SHA-256', 'x', rfc.salt, 1000), 'INVALID_CONFIG', /iterations/)
})

test('PLAIN checks the password against the SCRAM credential', () => {
  const credential = scramCredential('SCRAM-SHA-256', 'pencil', rfc.salt, 4096)
  const { username, password } = parsePlainMessage(plainMessage('user', 'pencil'))
  assert.is(username, 'user')
  assert.ok(verifyPlainPassword('SCRAM-SHA-256', credential, password))
  assert.not.ok(verifyPlainPassword('SCRAM-SHA-256', credential, 'pencil2'))
  failsWith(
    () => parsePlainMessage(Buffer.from('admin\0user\0pencil')),
    'SASL_AUTHENTICATION_FAILED',
    /another user/,
  )
})

test.run()
