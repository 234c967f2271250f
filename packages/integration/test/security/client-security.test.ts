// Proves the client's tls and sasl options against a real broker: SCRAM over TLS produces and consumes, users are created, listed and deleted through the admin API and take effect without a restart, a wrong password is SASL_AUTHENTICATION_FAILED, and a client without sasl gets only ApiVersions.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Broker } from '@weir/broker'
import { Client, codecs, defineTopic, isWeirError } from '@weir/client'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { take } from '../client/helpers.js'

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../protocol/test/fixtures/tls/${name}`, import.meta.url))
const ca = readFileSync(fixture('ca.pem'), 'utf8')

let directory: string
let broker: Broker
let address: string

test.before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'weir-security-'))
  const userFile = join(directory, 'admin-user')
  writeFileSync(userFile, 'admin:admin-secret\n')
  broker = await Broker.start({
    dataDir: join(directory, 'data'),
    listen: '127.0.0.1:0',
    logLevel: 'silent',
    tls: { certFile: fixture('broker.pem'), keyFile: fixture('broker.key') },
    saslMechanisms: 'scram-sha-256,scram-sha-512',
    bootstrapUserFile: userFile,
  })
  address = `127.0.0.1:${broker.address.port}`
})

test.after(async () => {
  await broker.close()
  rmSync(directory, { recursive: true, force: true })
})

function client(sasl?: { mechanism: 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }) {
  return new Client({
    brokers: [address],
    clientId: 'security-test',
    connectTimeoutMs: 5000,
    tls: { ca },
    ...(sasl === undefined ? {} : { sasl }),
  })
}

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work()
  } catch (error) {
    return error
  }
  assert.unreachable('should have failed')
}

test('SCRAM over TLS: produce and consume as the bootstrap admin', async () => {
  const admin = await eventually('the bootstrap admin to log in', async () => {
    const candidate = client({ mechanism: 'scram-sha-256', username: 'admin', password: 'admin-secret' })
    try {
      await candidate.admin().listTopics()
      return candidate
    } catch {
      await candidate.close()
      return undefined
    }
  })
  await admin.admin().createTopic({ topic: 'orders', partitions: 1 })
  const topic = defineTopic<string>({ name: 'orders', codec: codecs.string })
  const producer = admin.producer({ acks: 'all' })
  await producer.sendBatch({ topic, messages: ['a', 'b', 'c'].map((value) => ({ value })) })
  const consumer = admin.consumer({ topics: [topic], fromBeginning: true })
  const messages = await take(consumer, 3)
  assert.equal(
    messages.map((message) => message.value),
    ['a', 'b', 'c'],
  )
  await admin.close()
})

test('a user created through the admin API logs in at once; deleted, it cannot log in again', async () => {
  const admin = client({ mechanism: 'scram-sha-512', username: 'admin', password: 'admin-secret' })
  await admin.admin().createUser({ username: 'alice', password: 'alice-pass' })
  const users = await admin.admin().listUsers()
  assert.equal(
    users.find((user) => user.username === 'alice'),
    { username: 'alice', mechanisms: ['scram-sha-256', 'scram-sha-512'] },
  )
  const alice = client({ mechanism: 'scram-sha-256', username: 'alice', password: 'alice-pass' })
  assert.ok((await alice.admin().listTopics()).includes('orders'))
  await alice.close()

  assert.is(await admin.admin().deleteUser('alice'), true)
  assert.is(await admin.admin().deleteUser('alice'), false)
  const revoked = client({ mechanism: 'scram-sha-256', username: 'alice', password: 'alice-pass' })
  const error = await failure(() => revoked.admin().listTopics())
  assert.ok(isWeirError(error, 'SASL_AUTHENTICATION_FAILED'), String(error))
  await revoked.close()
  await admin.close()
})

test('a reconnect logs in again before its first request (broker restarted on the same port)', async () => {
  const admin = client({ mechanism: 'scram-sha-256', username: 'admin', password: 'admin-secret' })
  assert.ok((await admin.admin().listTopics()).includes('orders'))
  const { port } = broker.address
  await broker.close()
  broker = await Broker.start({
    dataDir: join(directory, 'data'),
    listen: `127.0.0.1:${port}`,
    logLevel: 'silent',
    tls: { certFile: fixture('broker.pem'), keyFile: fixture('broker.key') },
    saslMechanisms: 'scram-sha-256',
  })
  const topics = await eventually('the client to reconnect and log in again', async () =>
    admin
      .admin()
      .listTopics()
      .catch(() => undefined),
  )
  assert.ok(topics.includes('orders'))
  await admin.close()
})

test('a wrong password is SASL_AUTHENTICATION_FAILED, not a broker that is down', async () => {
  const wrong = client({ mechanism: 'scram-sha-256', username: 'admin', password: 'guess' })
  const error = await failure(() => wrong.admin().listTopics())
  assert.ok(isWeirError(error, 'SASL_AUTHENTICATION_FAILED'), String(error))
  await wrong.close()
})

test('a client without sasl is refused everything but ApiVersions', async () => {
  const anonymous = client()
  const error = await failure(() => anonymous.admin().listTopics())
  assert.ok(isWeirError(error, 'ILLEGAL_SASL_STATE'), String(error))
  await anonymous.close()
})

test.run()
