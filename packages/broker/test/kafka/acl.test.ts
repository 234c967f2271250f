// Proves the Kafka listener's admin APIs obey the native ACL records: with --authorizer acl a user
// without Create cannot create a topic (TOPIC_AUTHORIZATION_FAILED naming the `weir acl add` that
// would allow it), an ACL created on the native listener lets him on the next request, and Delete
// and Describe (DescribeConfigs) are checked the same way; a KafkaJS producer without Write gets
// TOPIC_AUTHORIZATION_FAILED, a KafkaJS admin without Create cannot create; a super user may do
// everything.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type AclBinding, CreateAcls, Kafka, SetUserCredential, scramCredential } from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { Kafka as KafkaJs, logLevel } from 'kafkajs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { removeTempDirectories, startBroker, tempDirectory } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'
import { kafkaScramLogin, nativeScramLogin } from './kafka-sasl-login.js'
import { KafkaWire } from './kafka-wire.js'

const codes = Kafka.KafkaErrorCodes
let broker: Broker
let native: WireClient

test.before(async () => {
  const file = join(tempDirectory(), 'admin-user')
  writeFileSync(file, 'admin:admin-pass\n')
  broker = await startBroker({
    kafkaListen: '127.0.0.1:0',
    saslMechanisms: 'scram-sha-256',
    bootstrapUserFile: file,
    authorizer: 'acl',
    superUsers: 'User:admin',
  })
  await eventually('the bootstrap user to exist', () => broker.cluster.image.users.has('admin') || undefined)
  native = await WireClient.connect(broker.address.port)
  await nativeScramLogin(native, 'admin', 'admin-pass')
  const credential = scramCredential('SCRAM-SHA-256', 'bob-pass', Buffer.alloc(16, 7), 4096)
  const set = await native.call(SetUserCredential, { name: 'bob', mechanism: 'SCRAM-SHA-256', ...credential })
  assert.is(set.errorCode, 0)
})

test.after(async () => {
  await native.close()
  await broker.close()
  removeTempDirectories()
})

async function kafkaAs(user: string, secret: string): Promise<KafkaWire> {
  const wire = await KafkaWire.connect(broker.kafkaAddress!.port)
  assert.is(await kafkaScramLogin(wire, 'SCRAM-SHA-256', user, secret), 0)
  return wire
}

function allowBob(
  operation: AclBinding['operation'],
  resourceType: AclBinding['resourceType'],
  name: string,
) {
  return native.call(CreateAcls, {
    creations: [
      {
        principal: 'User:bob',
        host: '*',
        operation,
        permission: 'allow',
        resourceType,
        resourceName: name,
        patternType: 'literal',
      },
    ],
  })
}

const create = (wire: KafkaWire, name: string) =>
  wire.call(Kafka.createTopicsApi, 4, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30_000,
    validateOnly: false,
  })

const describeTopic = (wire: KafkaWire, name: string) =>
  wire.call(Kafka.describeConfigsApi, 2, {
    resources: [
      { resourceType: Kafka.ConfigResourceType.topic, resourceName: name, configurationKeys: null },
    ],
    includeSynonyms: false,
  })

test('without Create a user cannot create a topic; an ACL from the native listener lets him', async () => {
  const bob = await kafkaAs('bob', 'bob-pass')
  const refused = await create(bob, 'orders')
  assert.is(refused.topics[0]?.errorCode, codes.TOPIC_AUTHORIZATION_FAILED.code)
  assert.match(
    String(refused.topics[0]?.errorMessage),
    /weir acl add --principal User:bob --operation Create/,
  )
  assert.is(broker.cluster.image.topic('orders'), undefined)
  assert.is((await allowBob('Create', 'Topic', 'orders')).errorCode, 0)
  assert.is((await create(bob, 'orders')).topics[0]?.errorCode, 0)
  assert.ok(broker.cluster.image.topic('orders'))
  bob.close()
})

test('DescribeConfigs needs Describe on the topic (or the cluster for a broker); DeleteTopics needs Delete', async () => {
  const bob = await kafkaAs('bob', 'bob-pass')
  const hidden = await describeTopic(bob, 'orders')
  assert.is(hidden.results[0]?.errorCode, codes.TOPIC_AUTHORIZATION_FAILED.code)
  const missing = await describeTopic(bob, 'no-such-topic')
  assert.is(
    missing.results[0]?.errorCode,
    codes.TOPIC_AUTHORIZATION_FAILED.code,
    'existence is not given away',
  )
  const brokerConfigs = await bob.call(Kafka.describeConfigsApi, 2, {
    resources: [{ resourceType: Kafka.ConfigResourceType.broker, resourceName: '', configurationKeys: null }],
    includeSynonyms: false,
  })
  assert.is(brokerConfigs.results[0]?.errorCode, codes.CLUSTER_AUTHORIZATION_FAILED.code)
  assert.is((await allowBob('Describe', 'Topic', 'orders')).errorCode, 0)
  assert.is((await describeTopic(bob, 'orders')).results[0]?.errorCode, 0)

  const deleteOrders = () => bob.call(Kafka.deleteTopicsApi, 3, { topicNames: ['orders'], timeoutMs: 30_000 })
  assert.is((await deleteOrders()).responses[0]?.errorCode, codes.TOPIC_AUTHORIZATION_FAILED.code)
  assert.ok(broker.cluster.image.topic('orders'))
  assert.is((await allowBob('Delete', 'Topic', 'orders')).errorCode, 0)
  assert.is((await deleteOrders()).responses[0]?.errorCode, 0)
  assert.is(broker.cluster.image.topic('orders'), undefined)
  bob.close()
})

function kafkaJsAs(username: string, password: string): KafkaJs {
  return new KafkaJs({
    clientId: 'weir-kafka-acl-test',
    brokers: [`127.0.0.1:${broker.kafkaAddress!.port}`],
    sasl: { mechanism: 'scram-sha-256', username, password },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  })
}

/** The Kafka error type a KafkaJS call failed with (KafkaJS wraps some in an aggregate). */
async function kafkaJsFailure(run: () => Promise<unknown>): Promise<string> {
  try {
    await run()
  } catch (error) {
    const failure = error as {
      type?: string
      errors?: { type?: string }[]
      originalError?: { type?: string }
    }
    return failure.type ?? failure.errors?.[0]?.type ?? failure.originalError?.type ?? String(error)
  }
  return 'succeeded'
}

test('KafkaJS: a user without Write gets TOPIC_AUTHORIZATION_FAILED from the producer, without Create from the admin', async () => {
  const admin = await kafkaAs('admin', 'admin-pass')
  assert.is((await create(admin, 'payments')).topics[0]?.errorCode, 0)
  admin.close()
  // Describe lets bob's producer find the topic in Metadata; the refusal then comes from Produce.
  assert.is((await allowBob('Describe', 'Topic', 'payments')).errorCode, 0)
  const kafka = kafkaJsAs('bob', 'bob-pass')
  const producer = kafka.producer()
  await producer.connect()
  const send = () => producer.send({ topic: 'payments', acks: -1, messages: [{ key: 'k', value: 'v' }] })
  assert.is(await kafkaJsFailure(send), 'TOPIC_AUTHORIZATION_FAILED')
  assert.is((await allowBob('Write', 'Topic', 'payments')).errorCode, 0)
  assert.is(await kafkaJsFailure(send), 'succeeded')
  await producer.disconnect()

  const bobAdmin = kafka.admin()
  await bobAdmin.connect()
  const createRefunds = () => bobAdmin.createTopics({ topics: [{ topic: 'refunds' }] })
  assert.is(await kafkaJsFailure(createRefunds), 'TOPIC_AUTHORIZATION_FAILED')
  assert.is(broker.cluster.image.topic('refunds'), undefined)
  await bobAdmin.disconnect()
})

test('a super user creates, describes and deletes without ACLs', async () => {
  const admin = await kafkaAs('admin', 'admin-pass')
  assert.is((await create(admin, 'audit')).topics[0]?.errorCode, 0)
  assert.is((await describeTopic(admin, 'audit')).results[0]?.errorCode, 0)
  const deleted = await admin.call(Kafka.deleteTopicsApi, 3, { topicNames: ['audit'], timeoutMs: 30_000 })
  assert.is(deleted.responses[0]?.errorCode, 0)
  admin.close()
})

test.run()
