// Proves SASL on the Kafka listener with the native exchange and rules: KafkaJS logs in with
// SCRAM-SHA-256 and SCRAM-SHA-512, and with PLAIN over TLS; kcat (librdkafka, which repeats its
// nonce in SCRAM's last message) logs in with SCRAM and with PLAIN over TLS; SaslHandshake v0 (raw
// tokens) is refused with UNSUPPORTED_VERSION; PLAIN is not offered on plain TCP; a wrong password
// is answered SASL_AUTHENTICATION_FAILED and the connection closes; before authentication a
// request other than ApiVersions and SASL, or a frame above the unauthenticated limit, closes the
// connection while the broker keeps serving other clients.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Kafka } from '@weir/protocol'
import { eventually, withTimeout } from '@weir/protocol/testing'
import { Kafka as KafkaJs, logLevel, type SASLOptions } from 'kafkajs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { unauthenticatedFrameBytesMax } from '../../src/connection.js'
import type { Broker } from '../../src/index.js'
import { removeTempDirectories, startBroker, tempDirectory } from '../support/broker.js'
import { kafkaScramLogin } from './kafka-sasl-login.js'
import { KafkaWire } from './kafka-wire.js'
import { kcatAvailable, kcatPath, kcatTest, runKcat } from './kcat-support.js'

const fixtures = (name: string) =>
  fileURLToPath(new URL(`../../../protocol/test/fixtures/tls/${name}`, import.meta.url))
const codes = Kafka.KafkaErrorCodes
const password = 's3cret-pass'

async function saslBroker(options: Parameters<typeof startBroker>[0] = {}): Promise<Broker> {
  const file = join(tempDirectory(), 'admin-user')
  writeFileSync(file, `admin:${password}\n`)
  const broker = await startBroker({
    kafkaListen: '127.0.0.1:0',
    saslMechanisms: 'scram-sha-256,scram-sha-512,plain',
    bootstrapUserFile: file,
    limits: { maxFrameBytes: 4 * 1024 * 1024 },
    ...options,
  })
  await eventually('the bootstrap user to exist', () => broker.cluster.image.users.has('admin') || undefined)
  return broker
}

function kafkaJsAdmin(broker: Broker, sasl: SASLOptions, ssl?: { ca: string[] }) {
  const client = new KafkaJs({
    clientId: 'weir-kafka-sasl-test',
    brokers: [`127.0.0.1:${broker.kafkaAddress!.port}`],
    sasl,
    ...(ssl === undefined ? {} : { ssl }),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 10_000,
    authenticationTimeout: 10_000,
  })
  return client.admin()
}

const createOne = (name: string) => ({
  topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
  timeoutMs: 30_000,
  validateOnly: false,
})

let broker: Broker

test.before(async () => {
  broker = await saslBroker()
})

test.after(async () => {
  await broker.close()
  removeTempDirectories()
})

test('KafkaJS logs in with SCRAM-SHA-256 and SCRAM-SHA-512; a wrong password fails', async () => {
  for (const mechanism of ['scram-sha-256', 'scram-sha-512'] as const) {
    const admin = kafkaJsAdmin(broker, { mechanism, username: 'admin', password })
    await admin.connect()
    await admin.disconnect()
    const wrong = kafkaJsAdmin(broker, { mechanism, username: 'admin', password: 'nope' })
    try {
      await wrong.connect()
      assert.unreachable('a wrong password was accepted')
    } catch (error) {
      assert.is((error as Error).name, 'KafkaJSSASLAuthenticationError', String(error))
      assert.match((error as Error).message, /SASL_AUTHENTICATION_FAILED|authentication failed/i)
    } finally {
      await wrong.disconnect()
    }
  }
})

test('after SCRAM the connection is served; a wrong password is answered, then the connection closes', async () => {
  const wire = await KafkaWire.connect(broker.kafkaAddress!.port)
  assert.is(await kafkaScramLogin(wire, 'SCRAM-SHA-256', 'admin', password), 0)
  const created = await wire.call(Kafka.createTopicsApi, 4, createOne('after-login'))
  assert.is(created.topics[0]?.errorCode, 0)
  wire.close()

  const wrong = await KafkaWire.connect(broker.kafkaAddress!.port)
  assert.is(
    await kafkaScramLogin(wrong, 'SCRAM-SHA-512', 'admin', 'nope'),
    codes.SASL_AUTHENTICATION_FAILED.code,
  )
  await withTimeout(wrong.closed, 10_000, 'the connection to close after a failed login')
  const unknownUser = await KafkaWire.connect(broker.kafkaAddress!.port)
  assert.is(
    await kafkaScramLogin(unknownUser, 'SCRAM-SHA-256', 'mallory', 'x'),
    codes.SASL_AUTHENTICATION_FAILED.code,
  )
  await withTimeout(unknownUser.closed, 10_000, 'the connection to close after a failed login')
})

kcatTest(
  'kcat (librdkafka) lists the cluster after a SCRAM-SHA-512 login; a wrong password fails',
  async () => {
    // -m: how long kcat waits for metadata; a login that fails waits all of it, one that works none.
    const scram = (secret: string, metadataWaitSeconds: number) => [
      '-b',
      `127.0.0.1:${broker.kafkaAddress!.port}`,
      '-L',
      '-m',
      String(metadataWaitSeconds),
      '-X',
      'security.protocol=SASL_PLAINTEXT',
      '-X',
      'sasl.mechanisms=SCRAM-SHA-512',
      '-X',
      'sasl.username=admin',
      '-X',
      `sasl.password=${secret}`,
    ]
    const listed = await runKcat(scram(password, 60))
    assert.is(listed.code, 0, listed.stderr)
    assert.match(
      listed.stdout,
      new RegExp(`broker ${broker.cluster.selfId} at 127\\.0\\.0\\.1:${broker.kafkaAddress!.port}`),
    )
    const refused = await runKcat(scram('nope', 15))
    assert.is.not(refused.code, 0)
    assert.match(refused.stderr, /wrong user name or password/)
  },
)

test('SaslHandshake v0 (raw SASL tokens next) is answered UNSUPPORTED_VERSION with the mechanisms', async () => {
  const wire = await KafkaWire.connect(broker.kafkaAddress!.port)
  const v0 = await wire.call(Kafka.saslHandshakeApi, 0, { mechanism: 'SCRAM-SHA-256' })
  assert.is(v0.errorCode, codes.UNSUPPORTED_VERSION.code)
  assert.equal(v0.mechanisms, ['SCRAM-SHA-256', 'SCRAM-SHA-512'])
  // The exchange was not started: v1 still works on the same connection.
  assert.is(await kafkaScramLogin(wire, 'SCRAM-SHA-256', 'admin', password), 0)
  wire.close()
})

test('PLAIN is not offered on plain TCP; an unknown mechanism is UNSUPPORTED_SASL_MECHANISM', async () => {
  const wire = await KafkaWire.connect(broker.kafkaAddress!.port)
  const plain = await wire.call(Kafka.saslHandshakeApi, 1, { mechanism: 'PLAIN' })
  assert.is(plain.errorCode, codes.UNSUPPORTED_SASL_MECHANISM.code)
  assert.equal(plain.mechanisms, ['SCRAM-SHA-256', 'SCRAM-SHA-512'])
  wire.close()
  const kafkaJs = kafkaJsAdmin(broker, { mechanism: 'plain', username: 'admin', password })
  try {
    await kafkaJs.connect()
    assert.unreachable('PLAIN was accepted over plain TCP')
  } catch (error) {
    assert.match((error as Error).message, /PLAIN|mechanism/i)
  } finally {
    await kafkaJs.disconnect()
  }
})

test('before authentication anything but ApiVersions and SASL closes the connection', async () => {
  const wire = await KafkaWire.connect(broker.kafkaAddress!.port)
  const versions = await wire.call(Kafka.apiVersionsApi, 3, {
    clientSoftwareName: 't',
    clientSoftwareVersion: '1',
  })
  assert.is(versions.errorCode, 0)
  wire.send(Kafka.createTopicsApi, 4, createOne('before-login'))
  assert.is(await wire.nextFrame(), undefined, 'no answer: the connection closes')
  assert.is(broker.cluster.image.topic('before-login'), undefined)
})

test('a frame above the unauthenticated limit closes the connection; another client is still served', async () => {
  const wire = await KafkaWire.connect(broker.kafkaAddress!.port)
  // Below maxFrameBytes (4 MiB) but above the limit before authentication (512 KiB).
  const header = Buffer.alloc(4)
  header.writeInt32BE(unauthenticatedFrameBytesMax + 1)
  wire.writeRaw(header)
  await withTimeout(wire.closed, 10_000, 'the connection to close on a large unauthenticated frame')
  const other = await KafkaWire.connect(broker.kafkaAddress!.port)
  assert.is(await kafkaScramLogin(other, 'SCRAM-SHA-256', 'admin', password), 0)
  // Once authenticated the same size is fine: the limit rose to maxFrameBytes...
  const longKeys = Array.from({ length: 20 }, (_, index) => `${index}`.padEnd(30_000, 'x'))
  const answer = await other.call(Kafka.describeConfigsApi, 1, {
    resources: [
      { resourceType: 2, resourceName: 'after-login', configurationKeys: ['retention.ms', ...longKeys] },
    ],
    includeSynonyms: false,
  })
  assert.ok(20 * 30_000 > unauthenticatedFrameBytesMax)
  assert.is(answer.results[0]?.errorCode, 0)
  assert.equal(
    answer.results[0]?.configs.map((config) => config.name),
    ['retention.ms'],
  )
  // ...and a frame above maxFrameBytes closes even an authenticated connection.
  header.writeInt32BE(4 * 1024 * 1024 + 1)
  other.writeRaw(header)
  await withTimeout(other.closed, 10_000, 'the connection to close on a frame above maxFrameBytes')
  const third = await KafkaWire.connect(broker.kafkaAddress!.port)
  const versions = await third.call(Kafka.apiVersionsApi, 0, {
    clientSoftwareName: '',
    clientSoftwareVersion: '',
  })
  assert.is(versions.errorCode, 0)
  third.close()
})

test('KafkaJS and kcat log in with PLAIN over TLS', async () => {
  const tlsBroker = await saslBroker({
    tls: { certFile: fixtures('broker.pem'), keyFile: fixtures('broker.key') },
  })
  try {
    const ca = [readFileSync(fixtures('ca.pem'), 'utf8')]
    const admin = kafkaJsAdmin(tlsBroker, { mechanism: 'plain', username: 'admin', password }, { ca })
    await admin.connect()
    await admin.disconnect()
    if (!kcatAvailable) {
      console.log(`kcat part skipped: no kcat at ${kcatPath} (apt-get install kcat, or set WEIR_KCAT)`)
      return
    }
    const listed = await runKcat([
      '-b',
      `127.0.0.1:${tlsBroker.kafkaAddress!.port}`,
      '-L',
      '-m',
      '60',
      '-X',
      'security.protocol=SASL_SSL',
      '-X',
      `ssl.ca.location=${fixtures('ca.pem')}`,
      '-X',
      'sasl.mechanisms=PLAIN',
      '-X',
      'sasl.username=admin',
      '-X',
      `sasl.password=${password}`,
    ])
    assert.is(listed.code, 0, listed.stderr)
    assert.match(listed.stdout, /sasl_ssl:\/\/127\.0\.0\.1/)
    const wrong = kafkaJsAdmin(tlsBroker, { mechanism: 'plain', username: 'admin', password: 'nope' }, { ca })
    try {
      await wrong.connect()
      assert.unreachable('a wrong PLAIN password was accepted')
    } catch (error) {
      assert.is((error as Error).name, 'KafkaJSSASLAuthenticationError', String(error))
    } finally {
      await wrong.disconnect()
    }
  } finally {
    await tlsBroker.close()
  }
})

test.run()
