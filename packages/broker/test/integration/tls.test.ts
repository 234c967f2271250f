// Proves client TLS on the broker: a TLS client is served, mTLS makes the certificate subject the connection's principal, a client without a certificate is refused, and PLAIN works over TLS only.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  Connection,
  isWeirError,
  Metadata,
  nodeTimers,
  plainMessage,
  SaslAuthenticate,
  SaslHandshake,
  type TlsOptions,
  tlsTransport,
} from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { memoryLogger, removeTempDirectories, startBroker, tempDirectory } from '../support/broker.js'

const fixtures = (name: string) =>
  fileURLToPath(new URL(`../../../protocol/test/fixtures/tls/${name}`, import.meta.url))
const pem = (name: string) => readFileSync(fixtures(name), 'utf8')

test.after(() => removeTempDirectories())

function open(broker: Broker, options: TlsOptions): Promise<Connection> {
  return Connection.open({
    host: '127.0.0.1',
    port: broker.address.port,
    connectTimeoutMs: 5000,
    requestTimeoutMs: 5000,
    inFlightMax: 4,
    frameBytesMax: 16 * 1024 * 1024,
    transport: tlsTransport(options),
    timers: nodeTimers,
  })
}

test('a TLS client is served; its connection stays anonymous without mTLS', async () => {
  const logs = memoryLogger('debug')
  const broker = await startBroker({
    logger: logs.logger,
    tls: { certFile: fixtures('broker.pem'), keyFile: fixtures('broker.key') },
  })
  const connection = await open(broker, { ca: pem('ca.pem') })
  const metadata = await connection.request(Metadata, { topics: null })
  assert.is(metadata.brokers[0]?.port, broker.address.port)
  const opened = logs.lines().find((line) => line.msg === 'connection opened')
  assert.is(opened?.principal, 'User:ANONYMOUS')
  connection.close()
  await broker.close()
})

test('with clientAuth required the certificate subject is the principal, and a client without one is refused', async () => {
  const logs = memoryLogger('debug')
  const broker = await startBroker({
    logger: logs.logger,
    tls: {
      certFile: fixtures('broker.pem'),
      keyFile: fixtures('broker.key'),
      caFile: fixtures('ca.pem'),
      clientAuth: 'required',
    },
  })
  const alice = await open(broker, { ca: pem('ca.pem'), cert: pem('alice.pem'), key: pem('alice.key') })
  await alice.request(Metadata, { topics: null })
  const opened = logs.lines().find((line) => line.msg === 'connection opened')
  assert.is(opened?.principal, 'User:CN=alice,O=weir')
  alice.close()

  // TLS 1.3 reports a missing client certificate after the handshake: the first request fails.
  const refused = await open(broker, { ca: pem('ca.pem') })
    .then((connection) => connection.request(Metadata, { topics: null }))
    .then(
      () => false,
      () => true,
    )
  assert.ok(refused, 'a client without a certificate was served')
  await broker.close()
})

test('PLAIN logs in over TLS', async () => {
  const file = join(tempDirectory(), 'user')
  writeFileSync(file, 'carol:plain-text-ok')
  const broker = await startBroker({
    tls: { certFile: fixtures('broker.pem'), keyFile: fixtures('broker.key') },
    saslMechanisms: ['plain', 'scram-sha-256'],
    bootstrapUserFile: file,
  })
  await eventually('the bootstrap user', () => broker.cluster.image.users.has('carol') || undefined)
  const connection = await open(broker, { ca: pem('ca.pem') })
  const handshake = await connection.request(SaslHandshake, { mechanism: 'PLAIN' })
  assert.equal(handshake.mechanisms, ['PLAIN', 'SCRAM-SHA-256'])
  await connection.request(SaslAuthenticate, { authBytes: plainMessage('carol', 'plain-text-ok') })
  await connection.request(Metadata, { topics: null })
  connection.close()

  const wrong = await open(broker, { ca: pem('ca.pem') })
  await wrong.request(SaslHandshake, { mechanism: 'PLAIN' })
  try {
    await wrong.request(SaslAuthenticate, { authBytes: plainMessage('carol', 'nope') })
    assert.unreachable('a wrong PLAIN password was accepted')
  } catch (error) {
    assert.ok(isWeirError(error, 'SASL_AUTHENTICATION_FAILED'), String(error))
  }
  await broker.close()
})

test('a bad TLS option is INVALID_CONFIG naming it', async () => {
  for (const tls of [
    { certFile: fixtures('broker.pem'), keyFile: fixtures('broker.key'), clientAuth: 'required' as const },
    { certFile: fixtures('missing.pem'), keyFile: fixtures('broker.key') },
  ]) {
    try {
      await startBroker({ tls })
      assert.unreachable('started')
    } catch (error) {
      assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
      assert.match((error as Error).message, /--tls-ca|--tls-cert/)
    }
  }
})

test.run()
