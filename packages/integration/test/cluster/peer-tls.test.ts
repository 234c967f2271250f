// Proves a three-broker cluster of real `weir broker` processes whose brokers authenticate each
// other by mutual TLS (--peer-tls-cert/key/ca, no cluster secret): it elects, replicates with
// acks all, survives a kill -9 of the leader with every acknowledged message, and its peer ports
// refuse a dialer whose certificate another CA signed, one without a certificate, and plain TCP.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Client, codecs, defineTopic } from '@weir/client'
import {
  ApiVersions,
  Connection,
  nodeTimers,
  type Transport,
  tcpTransport,
  tlsTransport,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readValues, startCluster, type TestCluster, tlsFixtures, waitFor } from './cluster-support.js'

const topic = defineTopic<string>({ name: 'secured', codec: codecs.string })
const stranger = fileURLToPath(new URL('../fixtures/tls/', import.meta.url))
const env = {} as { cluster: TestCluster; client: Client }

test.before(async () => {
  env.cluster = await startCluster(3, undefined, 'tls')
  env.client = new Client({
    brokers: env.cluster.bootstrap,
    clientId: 'peer-tls-test',
    maxMetadataAgeMs: 1000,
  })
})

test.after(async () => {
  await env.client?.close()
  await env.cluster?.close()
})

async function leader(): Promise<number> {
  return waitFor('a leader of secured/0', 15_000, async () => {
    const id = (await env.client.admin().describeTopic(topic.name)).partitions[0]?.leader ?? -1
    return id > 0 ? id : undefined
  })
}

test('a cluster under mutual TLS elects, replicates and survives a leader kill', async () => {
  await waitFor('the topic created', 20_000, async () => {
    await env.client.admin().createTopic({ topic: topic.name, partitions: 1, replicationFactor: 3 })
    return true
  })
  const producer = env.client.producer({ acks: 'all' })
  for (let index = 0; index < 20; index++)
    await producer.send({ topic, partition: 0, value: `before-${index}` })
  const first = await leader()
  await env.cluster.kill(first)
  await waitFor('a new leader takes writes', 20_000, async () => {
    await producer.send({ topic, partition: 0, value: 'after-0' })
    return true
  })
  for (let index = 1; index < 20; index++)
    await producer.send({ topic, partition: 0, value: `after-${index}` })
  await producer.close()
  assert.is.not(await leader(), first)
  const values = await readValues(env.client, topic, 40)
  assert.equal(values, [
    ...Array.from({ length: 20 }, (_, index) => `before-${index}`),
    ...Array.from({ length: 20 }, (_, index) => `after-${index}`),
  ])
  await env.cluster.restart(first)
})

/** Whether an ApiVersions over `transport` to the peer port of broker 1 is answered. */
async function peerPortAnswers(transport: Transport): Promise<boolean> {
  const port = env.cluster.brokers[0]!.peerPort
  let connection: Connection
  try {
    connection = await Connection.open({
      host: '127.0.0.1',
      port,
      connectTimeoutMs: 3000,
      requestTimeoutMs: 3000,
      inFlightMax: 1,
      frameBytesMax: 1024 * 1024,
      transport,
      timers: nodeTimers,
    })
  } catch {
    return false
  }
  try {
    await connection.request(ApiVersions, {})
    return true
  } catch {
    return false
  } finally {
    connection.close()
  }
}

test('the peer port refuses a certificate of another CA, no certificate, and plain TCP', async () => {
  const ca = readFileSync(`${tlsFixtures}ca.pem`)
  // The control: the cluster's own certificate gets an answer (before authenticating, ApiVersions).
  const member = tlsTransport({
    ca,
    cert: readFileSync(`${tlsFixtures}broker.pem`),
    key: readFileSync(`${tlsFixtures}broker.key`),
  })
  assert.ok(await peerPortAnswers(member), 'a certificate of the cluster CA is served')
  const outsider = tlsTransport({
    ca,
    cert: readFileSync(`${stranger}stranger.pem`),
    key: readFileSync(`${stranger}stranger.key`),
  })
  assert.not.ok(await peerPortAnswers(outsider), 'a certificate of another CA is refused')
  assert.not.ok(await peerPortAnswers(tlsTransport({ ca })), 'no certificate is refused')
  assert.not.ok(await peerPortAnswers(tcpTransport), 'plain TCP is refused')
})

test.run()
