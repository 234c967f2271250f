// Proves the SASL state machine: steps out of order are ILLEGAL_SASL_STATE, PLAIN needs TLS, a failed step leaves the exchange failed, and an unknown user gets a server-first shaped like a real one.
import { clientFirstMessage, isWeirError, plainMessage, scramCredential } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SaslExchange, type SaslSettings } from '../../src/auth/sasl-exchange.js'
import { UserDirectory } from '../../src/auth/user-records.js'

const users = new UserDirectory()
users.apply({
  type: 'userCredentialSet',
  name: 'alice',
  mechanism: 'SCRAM-SHA-256',
  ...scramCredential('SCRAM-SHA-256', 'pencil', Buffer.alloc(16, 9), 4096),
})

const settings: SaslSettings = {
  mechanisms: ['SCRAM-SHA-256', 'PLAIN'],
  serverSecret: Buffer.alloc(32, 1),
  users,
  nonce: () => 'server-nonce-0123456789',
}

function fails(run: () => unknown, code: string): void {
  try {
    run()
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.ok(isWeirError(error, code as never), String(error))
  }
}

test('SaslAuthenticate before SaslHandshake, and a second handshake, are ILLEGAL_SASL_STATE', () => {
  const exchange = new SaslExchange(settings, false)
  fails(() => exchange.authenticate(Buffer.from('n,,n=alice,r=abcdefghijklmnopqrst')), 'ILLEGAL_SASL_STATE')
  exchange.handshake('SCRAM-SHA-256')
  fails(() => exchange.handshake('SCRAM-SHA-256'), 'ILLEGAL_SASL_STATE')
  assert.not.ok(exchange.failed)
})

test('PLAIN is offered and accepted on TLS connections only', () => {
  const plainTcp = new SaslExchange(settings, false)
  assert.equal(plainTcp.offered(), ['SCRAM-SHA-256'])
  fails(() => plainTcp.handshake('PLAIN'), 'UNSUPPORTED_SASL_MECHANISM')
  const overTls = new SaslExchange(settings, true)
  overTls.handshake('PLAIN')
  assert.is(overTls.authenticate(plainMessage('alice', 'pencil')).username, 'alice')
})

test('a failed step leaves the exchange failed, so the connection closes', () => {
  const exchange = new SaslExchange(settings, true)
  exchange.handshake('PLAIN')
  fails(() => exchange.authenticate(plainMessage('alice', 'wrong')), 'SASL_AUTHENTICATION_FAILED')
  assert.ok(exchange.failed)
  fails(() => exchange.authenticate(plainMessage('alice', 'pencil')), 'ILLEGAL_SASL_STATE')
})

test('an unknown user gets a server-first like a known one (same iterations and salt length)', () => {
  const first = (name: string) => {
    const exchange = new SaslExchange(settings, false)
    exchange.handshake('SCRAM-SHA-256')
    const reply = exchange.authenticate(Buffer.from(clientFirstMessage(name, 'abcdefghijklmnopqrst').message))
    return reply.reply.toString().replace(/^r=[^,]*,/, '')
  }
  const known = first('alice')
  const unknown = first('mallory')
  assert.match(unknown, /^s=[A-Za-z0-9+/]{22}==,i=4096$/)
  assert.match(known, /^s=[A-Za-z0-9+/]{22}==,i=4096$/)
  assert.is(first('mallory'), unknown, 'the same unknown name must get the same salt every time')
})

test.run()
