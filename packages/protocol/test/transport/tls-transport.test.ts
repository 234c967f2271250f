// Proves the TLS transport: a client that trusts the CA connects, one that trusts another CA is
// refused with INVALID_CONFIG (not retried as if the broker were down), mTLS yields the client's
// certificate subject and refuses a client without one, plain TCP gets nothing, and a silent
// socket is dropped after the handshake timeout.
import { connect as netConnect } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { TransportListener, TransportSocket } from '../../src/environment.js'
import { tcpTransport } from '../../src/transport/tcp-transport.js'
import { isEncrypted, peerSubject, tlsTransport } from '../../src/transport/tls-transport.js'
import { isWeirError } from '../../src/weir-error.js'
import { tlsFixture } from '../support/tls-fixtures.js'

const server = { cert: tlsFixture('broker.pem'), key: tlsFixture('broker.key') }
const ca = tlsFixture('ca.pem')
const listeners: TransportListener[] = []
const sockets: TransportSocket[] = []

test.after.each(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  for (const listener of listeners.splice(0)) await listener.close()
})

async function listen(options: Parameters<typeof tlsTransport>[0]) {
  const accepted: TransportSocket[] = []
  const listener = await tlsTransport(options).listen({ host: '127.0.0.1', port: 0 }, (socket) => {
    accepted.push(socket)
    sockets.push(socket)
  })
  listeners.push(listener)
  return { port: listener.port, accepted }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 5000) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

test('a client trusting the CA connects and bytes flow both ways, encrypted', async () => {
  const { port, accepted } = await listen(server)
  const socket = await tlsTransport({ ca }).connect({ host: '127.0.0.1', port }, 5000)
  sockets.push(socket)
  assert.ok(isEncrypted(socket))
  await until(() => accepted.length === 1, 'accept')
  const received: Buffer[] = []
  accepted[0]!.on('data', (chunk) => received.push(chunk))
  socket.write(Buffer.from('hello'))
  await until(() => Buffer.concat(received).toString() === 'hello', 'data')
  assert.is(peerSubject(accepted[0]!), undefined, 'no client certificate, no subject')
})

test('a server certificate from another CA is INVALID_CONFIG, not a retriable outage', async () => {
  const { port } = await listen(server)
  const error = await tlsTransport({ ca: tlsFixture('other-ca.pem') })
    .connect({ host: '127.0.0.1', port }, 5000)
    .then(
      (socket) => {
        sockets.push(socket)
        return undefined
      },
      (failure: unknown) => failure,
    )
  assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
  assert.match((error as Error).message, '--tls-ca')
})

test('mutual TLS: the client certificate subject is the principal; no certificate, no connection', async () => {
  const { port, accepted } = await listen({ ...server, ca, requireClientCertificate: true })
  const alice = await tlsTransport({
    ca,
    cert: tlsFixture('alice.pem'),
    key: tlsFixture('alice.key'),
  }).connect({ host: '127.0.0.1', port }, 5000)
  sockets.push(alice)
  await until(() => accepted.length === 1, 'accept')
  assert.is(peerSubject(accepted[0]!), 'CN=alice,O=weir')

  // TLS 1.3 reports a refused client certificate after the handshake: the socket then closes.
  const anonymous = await tlsTransport({ ca })
    .connect({ host: '127.0.0.1', port }, 5000)
    .catch(() => undefined)
  if (anonymous !== undefined) {
    sockets.push(anonymous)
    let closed = false
    anonymous.on('error', () => {})
    anonymous.once('close', () => {
      closed = true
    })
    anonymous.write(Buffer.from('x'))
    await until(() => closed, 'the anonymous client to be cut off')
  }
  assert.is(accepted.length, 1, 'the server accepted only alice')
})

test('plain TCP to a TLS listener is never accepted, and a silent handshake is dropped', async () => {
  const { port, accepted } = await listen({ ...server, handshakeTimeoutMs: 200 })
  const plain = await tcpTransport.connect({ host: '127.0.0.1', port }, 5000)
  sockets.push(plain)
  let closed = false
  plain.on('error', () => {})
  plain.once('close', () => {
    closed = true
  })
  plain.write(Buffer.from('\0\0\0\x10not a handshake at all'))
  await until(() => closed, 'the plain client to be dropped')

  const silent = netConnect({ host: '127.0.0.1', port })
  let silentClosed = false
  silent.on('error', () => {})
  silent.once('close', () => {
    silentClosed = true
  })
  await until(() => silentClosed, 'the silent socket to time out')
  assert.is(accepted.length, 0)
})

test('listening without a certificate is INVALID_CONFIG naming the flags', async () => {
  const error = await tlsTransport({})
    .listen({ host: '127.0.0.1', port: 0 }, () => {})
    .catch((failure: unknown) => failure)
  assert.ok(isWeirError(error, 'INVALID_CONFIG'))
  assert.match((error as Error).message, '--tls-cert')
})

test.run()
