// Proves the Kafka listener has the client listener's security: TLS with the same certificate, a
// client certificate's subject as the principal under mTLS, and the same ACLs (KafkaJS as a
// principal without a Write or Describe ACL is refused with TOPIC_AUTHORIZATION_FAILED, while a
// super user produces).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Connection, CreateTopics, nodeTimers, tlsTransport } from '@weir/protocol'
import { Kafka as KafkaJs, logLevel } from 'kafkajs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { memoryLogger, removeTempDirectories, startBroker } from '../support/broker.js'

const fixtures = (name: string) =>
  fileURLToPath(new URL(`../../../protocol/test/fixtures/tls/${name}`, import.meta.url))
const pem = (name: string) => readFileSync(fixtures(name), 'utf8')

const logs = memoryLogger('debug')
let broker: Broker

test.before(async () => {
  broker = await startBroker({
    logger: logs.logger,
    kafkaListen: '127.0.0.1:0',
    tls: {
      certFile: fixtures('broker.pem'),
      keyFile: fixtures('broker.key'),
      caFile: fixtures('ca.pem'),
      clientAuth: 'required',
    },
    authorizer: 'acl',
    superUsers: ['User:CN=alice,O=weir'],
  })
})

test.after(async () => {
  await broker.close()
  removeTempDirectories()
})

function client(user: 'alice' | 'bob'): KafkaJs {
  return new KafkaJs({
    clientId: `security-${user}`,
    brokers: [`127.0.0.1:${broker.kafkaAddress!.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    ssl: { ca: [pem('ca.pem')], cert: pem(`${user}.pem`), key: pem(`${user}.key`) },
  })
}

test('over mTLS the certificate subject is the principal; a super user creates a topic and produces', async () => {
  const admin = client('alice').admin()
  await admin.connect()
  try {
    const topics = await admin.listTopics()
    assert.ok(Array.isArray(topics))
  } finally {
    await admin.disconnect()
  }
  const opened = logs.lines().filter((line) => line.msg === 'connection opened')
  assert.ok(opened.some((line) => line.principal === 'User:CN=alice,O=weir'))
  // CreateTopics on the Kafka listener is another helper's: alice creates it over Weir's protocol.
  const weir = await Connection.open({
    host: '127.0.0.1',
    port: broker.address.port,
    connectTimeoutMs: 5000,
    requestTimeoutMs: 5000,
    inFlightMax: 4,
    frameBytesMax: 16 * 1024 * 1024,
    transport: tlsTransport({ ca: pem('ca.pem'), cert: pem('alice.pem'), key: pem('alice.key') }),
    timers: nodeTimers,
  })
  const created = await weir.request(CreateTopics, {
    topics: [{ name: 'guarded', partitions: 1, replicationFactor: 1, config: {} }],
  })
  weir.close()
  assert.is(created.topics[0]!.errorCode, 0, created.topics[0]!.errorMessage)
  const producer = client('alice').producer()
  await producer.connect()
  try {
    const [sent] = await producer.send({ topic: 'guarded', acks: -1, messages: [{ value: 'from alice' }] })
    assert.is(sent?.errorCode, 0)
  } finally {
    await producer.disconnect()
  }
})

test('a principal without ACLs is refused with TOPIC_AUTHORIZATION_FAILED', async () => {
  const producer = client('bob').producer()
  await producer.connect()
  try {
    const failure = await producer
      .send({ topic: 'guarded', acks: -1, messages: [{ value: 'from bob' }] })
      .then(
        () => undefined,
        (error: Error) => error,
      )
    // KafkaJS's text for Kafka code 29, raised from the Metadata answer before it produces.
    assert.match(String(failure?.message), /Topic authorization failed/)
  } finally {
    await producer.disconnect()
  }
})

test.run()
