// Proves issue 12's "done" cluster: three broker processes that authenticate each other by mutual
// TLS, serve clients over TLS with SCRAM logins, and deny what no ACL allows. A user with Write on
// `orders` produces there but cannot read `payments` (nor `orders`); an unauthenticated client
// gets only ApiVersions; a wrong password and an unknown user fail alike; an ACL removed through
// one broker stops the user at another on the next request, with no restart.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, Connection, codecs, defineTopic, isWeirError, type SaslOptions } from '@weir/client'
import { ApiVersions, Metadata, nodeTimers, tlsTransport } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startCluster, type TestCluster, tlsFixtures, waitFor } from '../cluster/cluster-support.js'

const ca = readFileSync(join(tlsFixtures, 'ca.pem'), 'utf8')
const orders = defineTopic<string>({ name: 'orders', codec: codecs.string })
const payments = defineTopic<string>({ name: 'payments', codec: codecs.string })
const admin = { mechanism: 'scram-sha-256', username: 'admin', password: 'admin-password-1' } as const
const alice = { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-password-1' } as const

let directory: string
let cluster: TestCluster
const clients: Client[] = []

function client(brokerIndex: number, sasl?: SaslOptions): Client {
  const created = new Client({
    brokers: [cluster.bootstrap[brokerIndex]!],
    clientId: 'secured-cluster-test',
    connectTimeoutMs: 5000,
    tls: { ca },
    ...(sasl === undefined ? {} : { sasl }),
  })
  clients.push(created)
  return created
}

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work()
  } catch (error) {
    return error
  }
  return assert.unreachable('should have failed')
}

test.before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'weir-secured-'))
  const userFile = join(directory, 'admin-user')
  writeFileSync(userFile, `${admin.username}:${admin.password}\n`)
  cluster = await startCluster(
    3,
    {
      tls: { certFile: join(tlsFixtures, 'broker.pem'), keyFile: join(tlsFixtures, 'broker.key') },
      saslMechanisms: 'scram-sha-256,scram-sha-512',
      bootstrapUserFile: userFile,
      authorizer: 'acl',
      superUsers: 'User:admin',
    },
    'tls',
  )
  const root = client(0, admin)
  await waitFor('the bootstrap admin can log in and create topics', 20_000, async () => {
    await root.admin().createTopic({ topic: orders.name, partitions: 1, replicationFactor: 3 })
    return true
  })
  await root.admin().createTopic({ topic: payments.name, partitions: 1, replicationFactor: 3 })
  await root.admin().createUser(alice)
  await root
    .admin()
    .createAcls([
      { principal: 'User:alice', operation: 'Write', resourceType: 'Topic', resourceName: orders.name },
    ])
  const producer = root.producer({ acks: 'all' })
  await producer.send({ topic: payments, value: 'salary' })
  await producer.close()
})

test.after(async () => {
  for (const each of clients.splice(0)) await each.close().catch(() => {})
  await cluster?.close()
  rmSync(directory, { recursive: true, force: true })
})

test('alice, with Write on orders, produces there but reads neither payments nor orders', async () => {
  const aliceClient = client(1, alice)
  const producer = aliceClient.producer({ acks: 'all' })
  const sent = await waitFor('alice produces to orders', 15_000, async () =>
    producer.send({ topic: orders, value: 'order-1' }),
  )
  assert.ok(sent.offset >= 0)
  await producer.close()
  for (const topic of [payments, orders]) {
    const consumer = aliceClient.consumer({ topics: [topic], fromBeginning: true })
    const error = await failure(async () => {
      for await (const _message of consumer) break
    })
    await consumer.close()
    assert.ok(isWeirError(error, 'TOPIC_AUTHORIZATION_FAILED'), `${topic.name}: ${String(error)}`)
  }
})

test('an unauthenticated client gets ApiVersions and nothing else', async () => {
  const [host, port] = cluster.bootstrap[2]!.split(':')
  const connection = await Connection.open({
    host: host!,
    port: Number(port),
    connectTimeoutMs: 5000,
    requestTimeoutMs: 5000,
    inFlightMax: 1,
    frameBytesMax: 1024 * 1024,
    transport: tlsTransport({ ca }),
    timers: nodeTimers,
  })
  try {
    const versions = await connection.request(ApiVersions, {})
    assert.ok(versions.apis.length > 0, 'ApiVersions answers before login')
    const refused = await failure(() => connection.request(Metadata, { topics: null }))
    assert.ok(isWeirError(refused, 'ILLEGAL_SASL_STATE'), String(refused))
  } finally {
    connection.close()
  }
})

test('a wrong password and an unknown user fail alike: SASL_AUTHENTICATION_FAILED', async () => {
  const wrong = await failure(() =>
    client(0, { ...alice, password: 'not-her-password' })
      .admin()
      .listTopics(),
  )
  const unknown = await failure(() =>
    client(0, { ...alice, username: 'mallory' })
      .admin()
      .listTopics(),
  )
  assert.ok(isWeirError(wrong, 'SASL_AUTHENTICATION_FAILED'), String(wrong))
  assert.ok(isWeirError(unknown, 'SASL_AUTHENTICATION_FAILED'), String(unknown))
  // The same answer for both: the broker does not say which names exist.
  assert.is(
    (wrong as Error).message.replace('alice', 'X'),
    (unknown as Error).message.replace('mallory', 'X'),
  )
})

test('an ACL removed through one broker stops alice at another at once, no restart', async () => {
  const aliceClient = client(2, alice)
  const producer = aliceClient.producer({ acks: 'all' })
  await waitFor('alice produces through broker 3', 15_000, async () =>
    producer.send({ topic: orders, value: 'order-2' }),
  )
  const removed = await client(1, admin)
    .admin()
    .deleteAcls([{ principal: 'User:alice', resourceType: 'Topic', resourceName: orders.name }])
  assert.is(removed.length, 1)
  const error = await waitFor('the revoke reaches the leader of orders', 10_000, async () => {
    const outcome = await failure(() => producer.send({ topic: orders, value: 'order-3' })).catch(
      () => undefined,
    )
    return isWeirError(outcome, 'TOPIC_AUTHORIZATION_FAILED') ? outcome : undefined
  })
  assert.ok(isWeirError(error, 'TOPIC_AUTHORIZATION_FAILED'))
  await producer.close().catch(() => {})
})

test.run()
