// Proves SASL on the client listener over real TCP: SCRAM logs in, a wrong password fails and closes, nothing but ApiVersions and SASL is served before, frames are capped at 512 KiB and the connection is closed after authenticationTimeoutMs.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  ApiVersions,
  checkServerFinal,
  clientFinalMessage,
  clientFirstMessage,
  DeleteUser,
  ErrorCodes,
  encodeBody,
  encodeRequestFrame,
  ListUsers,
  Metadata,
  parseServerFirst,
  plainMessage,
  SaslAuthenticate,
  SaslHandshake,
  type ScramMechanism,
  SetUserCredential,
  scramCredential,
} from '@weir/protocol'
import { eventually, withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { memoryLogger, removeTempDirectories, startBroker, tempDirectory } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

test.after(() => removeTempDirectories())

async function saslBroker(options: Parameters<typeof startBroker>[0] = {}): Promise<Broker> {
  const file = join(tempDirectory(), 'admin-user')
  writeFileSync(file, 'admin:s3cret-pass\n')
  const broker = await startBroker({
    saslMechanisms: 'scram-sha-256,scram-sha-512,plain',
    bootstrapUserFile: file,
    ...options,
  })
  // The controller leader creates the bootstrap user right after start.
  await eventually('the bootstrap user to exist', () => broker.cluster.image.users.has('admin') || undefined)
  return broker
}

/** A full SCRAM exchange; resolves with the error code of the step that failed (0: logged in). */
async function scramLogin(
  client: WireClient,
  mechanism: ScramMechanism,
  username: string,
  password: string,
): Promise<number> {
  const handshake = await client.call(SaslHandshake, { mechanism })
  if (handshake.errorCode) return handshake.errorCode
  const first = clientFirstMessage(username, 'abcdefghijklmnopqrstuvwx')
  const serverFirst = await client.call(SaslAuthenticate, { authBytes: Buffer.from(first.message) })
  if (serverFirst.errorCode) return serverFirst.errorCode
  const parsed = parseServerFirst(serverFirst.authBytes.toString(), first.clientNonce)
  const final = clientFinalMessage(mechanism, password, first, parsed)
  const serverFinal = await client.call(SaslAuthenticate, { authBytes: Buffer.from(final.message) })
  if (serverFinal.errorCode) return serverFinal.errorCode
  checkServerFinal(serverFinal.authBytes.toString(), final.serverSignature)
  return 0
}

test('before authentication only ApiVersions and the SASL APIs are served', async () => {
  const broker = await saslBroker()
  const client = await WireClient.connect(broker.address.port)
  const versions = await client.call(ApiVersions, {})
  assert.is(versions.errorCode, 0)
  const metadata = await client.send(Metadata.apiKey, 0, encodeBody({ topics: null }))
  assert.is(metadata.errorCode, ErrorCodes.ILLEGAL_SASL_STATE.code)
  const users = await client.send(ListUsers.apiKey, 0, encodeBody({}))
  assert.is(users.errorCode, ErrorCodes.ILLEGAL_SASL_STATE.code)
  await client.close()
  await broker.close()
})

test('SCRAM-SHA-256 and SCRAM-SHA-512 log in over TCP, then every API is served', async () => {
  const broker = await saslBroker()
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    const client = await WireClient.connect(broker.address.port)
    assert.is(await scramLogin(client, mechanism, 'admin', 's3cret-pass'), 0)
    const metadata = await client.call(Metadata, { topics: null })
    assert.is(metadata.errorCode, 0)
    const users = await client.call(ListUsers, {})
    assert.equal(users.users, [{ name: 'admin', mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'] }])
    await client.close()
  }
  await broker.close()
})

test('a wrong password or an unknown user fails with SASL_AUTHENTICATION_FAILED and the broker closes the connection', async () => {
  const broker = await saslBroker()
  for (const [username, password] of [
    ['admin', 'wrong'],
    ['nobody', 's3cret-pass'],
  ] as const) {
    const client = await WireClient.connect(broker.address.port)
    assert.is(
      await scramLogin(client, 'SCRAM-SHA-256', username, password),
      ErrorCodes.SASL_AUTHENTICATION_FAILED.code,
    )
    await withTimeout(client.closed, 5000, 'the broker to close the connection after a failed login')
  }
  await broker.close()
})

test('PLAIN on a plain TCP connection is UNSUPPORTED_SASL_MECHANISM', async () => {
  const broker = await saslBroker()
  const client = await WireClient.connect(broker.address.port)
  const handshake = await client.call(SaslHandshake, { mechanism: 'PLAIN' })
  assert.is(handshake.errorCode, ErrorCodes.UNSUPPORTED_SASL_MECHANISM.code)
  assert.equal(handshake.mechanisms, ['SCRAM-SHA-256', 'SCRAM-SHA-512'])
  // And PLAIN bytes cannot be slipped in without a handshake.
  const step = await client.call(SaslAuthenticate, { authBytes: plainMessage('admin', 's3cret-pass') })
  assert.is(step.errorCode, ErrorCodes.ILLEGAL_SASL_STATE.code)
  await client.close()
  await broker.close()
})

test('frames above 512 KiB close an unauthenticated connection; after login the usual limit applies', async () => {
  const broker = await saslBroker()
  const declare = (bytes: number) => {
    const header = Buffer.alloc(4)
    header.writeUInt32BE(bytes)
    return header
  }
  const anonymous = await WireClient.connect(broker.address.port)
  anonymous.writeRaw(declare(600 * 1024))
  await withTimeout(anonymous.closed, 5000, 'the broker to close a 600 KiB frame before login')

  const client = await WireClient.connect(broker.address.port)
  assert.is(await scramLogin(client, 'SCRAM-SHA-256', 'admin', 's3cret-pass'), 0)
  // A 600 KiB Metadata request: read whole and answered (its body is not a valid request).
  const body = Buffer.concat([encodeBody({ topics: null }), Buffer.alloc(600 * 1024)])
  const answer = client.expect(99)
  client.writeRaw(encodeRequestFrame({ apiKey: Metadata.apiKey, apiVersion: 0, correlationId: 99 }, body))
  const response = (await withTimeout(answer, 5000, 'an answer to a 600 KiB frame after login')) as {
    errorCode: number
  }
  assert.is(response.errorCode, ErrorCodes.INVALID_REQUEST.code)
  await client.close()
  await broker.close()
})

test('a connection not authenticated within authenticationTimeoutMs is closed, however busy it keeps', async () => {
  const broker = await saslBroker({ limits: { authenticationTimeoutMs: 400 } })
  const client = await WireClient.connect(broker.address.port)
  const opened = Date.now()
  let closed = false
  void client.closed.then(() => {
    closed = true
  })
  // Whole requests every 50 ms: progress that an idle timer would count.
  while (!closed && Date.now() - opened < 3000) {
    await client.call(ApiVersions, {}).catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  assert.ok(closed, 'still open after 3 s')
  const elapsedMs = Date.now() - opened
  assert.ok(elapsedMs >= 350 && elapsedMs < 2000, `closed after ${elapsedMs} ms`)

  const authenticated = await WireClient.connect(broker.address.port)
  assert.is(await scramLogin(authenticated, 'SCRAM-SHA-256', 'admin', 's3cret-pass'), 0)
  await new Promise((resolve) => setTimeout(resolve, 600))
  assert.is((await authenticated.call(Metadata, { topics: null })).errorCode, 0)
  await authenticated.close()
  await broker.close()
})

test("deleting a user closes that user's open connections, and logging in again fails", async () => {
  const broker = await saslBroker()
  const clients: WireClient[] = []
  const connect = async () => {
    const client = await WireClient.connect(broker.address.port)
    clients.push(client)
    return client
  }
  try {
    const admin = await connect()
    assert.is(await scramLogin(admin, 'SCRAM-SHA-256', 'admin', 's3cret-pass'), 0)
    const credential = scramCredential('SCRAM-SHA-256', 'bob-pass', Buffer.alloc(16, 7), 4096)
    const set = await admin.call(SetUserCredential, {
      name: 'bob',
      mechanism: 'SCRAM-SHA-256',
      ...credential,
    })
    assert.is(set.errorCode, 0)
    const bob = await connect()
    assert.is(await scramLogin(bob, 'SCRAM-SHA-256', 'bob', 'bob-pass'), 0)
    assert.is((await bob.call(Metadata, { topics: null })).errorCode, 0, 'bob is served while he exists')
    assert.is((await admin.call(DeleteUser, { name: 'bob' })).errorCode, 0)
    await withTimeout(bob.closed, 5000, "bob's connection to close after his deletion")
    assert.is((await admin.call(Metadata, { topics: null })).errorCode, 0, "the admin's connection stays")
    const again = await connect()
    assert.is(
      await scramLogin(again, 'SCRAM-SHA-256', 'bob', 'bob-pass'),
      ErrorCodes.SASL_AUTHENTICATION_FAILED.code,
    )
  } finally {
    for (const client of clients) await client.close().catch(() => {})
    await broker.close()
  }
})

test('users survive a restart: the controller log is replayed, no bootstrap file needed', async () => {
  const dataDir = tempDirectory()
  const first = await saslBroker({ dataDir })
  await first.close()
  const again = await startBroker({ dataDir, saslMechanisms: ['scram-sha-256'] })
  const client = await WireClient.connect(again.address.port)
  assert.is(await scramLogin(client, 'SCRAM-SHA-256', 'admin', 's3cret-pass'), 0)
  await client.close()
  await again.close()
})

test('SASL with no user at all, or PLAIN without TLS, is warned about at start', async () => {
  const logs = memoryLogger('warn')
  const broker = await startBroker({ logger: logs.logger, saslMechanisms: 'scram-sha-256,plain' })
  const warned = (pattern: RegExp) => logs.lines().some((line) => pattern.test(String(line.msg)))
  await eventually('the no-user warning', () => warned(/no user exists/) || undefined)
  assert.ok(warned(/PLAIN is offered over TLS only/))
  await broker.close()
})

test('without --sasl-mechanisms the broker stays open and refuses a SASL handshake', async () => {
  const broker = await startBroker()
  const client = await WireClient.connect(broker.address.port)
  assert.is((await client.call(Metadata, { topics: null })).errorCode, 0)
  const handshake = await client.call(SaslHandshake, { mechanism: 'SCRAM-SHA-256' })
  assert.is(handshake.errorCode, ErrorCodes.UNSUPPORTED_SASL_MECHANISM.code)
  await client.close()
  await broker.close()
})

test.run()
