// Proves ACLs over real TCP on a real broker: deny by default with --authorizer acl, a principal with Write on orders produces but cannot read orders or payments, Metadata hides what it may not describe, and a deleted ACL applies on the next request and ACLs survive a restart.
import {
  type AclBinding,
  CreateAcls,
  CreateTopics,
  DeleteAcls,
  DescribeAcls,
  ErrorCodes,
  Metadata,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Broker } from '../../src/index.js'
import {
  batchOf,
  fetchOnce,
  memoryLogger,
  produce,
  recordsFor,
  removeTempDirectories,
  startBroker,
  tempDirectory,
} from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

test.after(() => removeTempDirectories())

// Every connection here is unauthenticated: its principal is User:ANONYMOUS, the one ACLs name.
const anonymous = 'User:ANONYMOUS'

function binding(
  operation: AclBinding['operation'],
  resourceType: AclBinding['resourceType'],
  resourceName: string,
  more: Partial<AclBinding> = {},
): AclBinding {
  return {
    principal: anonymous,
    host: '*',
    operation,
    permission: 'allow',
    resourceType,
    resourceName,
    patternType: 'literal',
    ...more,
  }
}

const clusterAlter = binding('Alter', 'Cluster', 'weir-cluster')

test('with --authorizer acl and no bindings every API is refused with its typed error', async () => {
  const broker = await startBroker({ authorizer: 'acl', superUsers: ['User:admin'] })
  const client = await WireClient.connect(broker.address.port)
  const created = await client.call(CreateTopics, {
    topics: [{ name: 'orders', partitions: 1, replicationFactor: 1, config: {} }],
  })
  assert.is(created.topics[0]!.errorCode, ErrorCodes.TOPIC_AUTHORIZATION_FAILED.code)
  assert.match(
    String(created.topics[0]!.errorMessage),
    /weir acl add --principal User:ANONYMOUS --operation Create/,
  )
  const refused = await client.call(CreateAcls, { creations: [clusterAlter] })
  assert.is(refused.errorCode, ErrorCodes.CLUSTER_AUTHORIZATION_FAILED.code)
  const hidden = await client.call(DescribeAcls, { filter: {} })
  assert.is(hidden.errorCode, ErrorCodes.CLUSTER_AUTHORIZATION_FAILED.code)
  assert.match(String(hidden.errorMessage), /may not Describe the cluster/)
  const metadata = await client.call(Metadata, { topics: null })
  assert.equal(metadata.topics, [])
  await client.close()
  await broker.close()
})

test('Write on orders: produce to orders, not read it, not read payments; a deleted ACL applies on the next request', async () => {
  const dataDir = tempDirectory()
  const options = {
    dataDir,
    listen: '127.0.0.1:0',
    logLevel: 'silent',
    authorizer: 'acl',
    superUsers: ['User:admin'],
  } as const
  let broker = await Broker.start(options)
  // What an admin's first `weir acl add` commits: let this client manage ACLs.
  await broker.cluster.submit({ type: 'aclsCreated', bindings: [clusterAlter] }, 5000)
  let client = await WireClient.connect(broker.address.port)
  await client.call(CreateAcls, {
    creations: [binding('Create', 'Cluster', 'weir-cluster'), binding('Write', 'Topic', 'orders')],
  })
  const created = await client.call(CreateTopics, {
    topics: [
      { name: 'orders', partitions: 1, replicationFactor: 1, config: {} },
      { name: 'payments', partitions: 1, replicationFactor: 1, config: {} },
    ],
  })
  assert.equal(
    created.topics.map((topic) => topic.errorCode),
    [0, 0],
  )

  const written = await produce(client, 'orders', 0, batchOf(recordsFor('o', 2)))
  assert.is(written.errorCode, 0)
  const denied = await produce(client, 'payments', 0, batchOf(recordsFor('p', 1)))
  assert.is(denied.errorCode, ErrorCodes.TOPIC_AUTHORIZATION_FAILED.code)
  for (const topic of ['orders', 'payments']) {
    const read = await fetchOnce(client, topic, 0, 0)
    assert.is(read.errorCode, ErrorCodes.TOPIC_AUTHORIZATION_FAILED.code, topic)
    assert.is(read.records.length, 0)
  }
  // Write implies Describe: orders is listed, payments is not, and naming it gives nothing away.
  const listed = await client.call(Metadata, { topics: null })
  assert.equal(
    listed.topics.map((topic) => topic.name),
    ['orders'],
  )
  const named = await client.call(Metadata, { topics: ['payments'] })
  assert.is(named.topics[0]!.errorCode, ErrorCodes.TOPIC_AUTHORIZATION_FAILED.code)

  const removed = await client.call(DeleteAcls, {
    filters: [{ resourceType: 'Topic', resourceName: 'orders' }],
  })
  assert.equal(removed.deleted, [binding('Write', 'Topic', 'orders')])
  const revoked = await produce(client, 'orders', 0, batchOf(recordsFor('o', 1)))
  assert.is(revoked.errorCode, ErrorCodes.TOPIC_AUTHORIZATION_FAILED.code)

  // The bindings are in the controller log: a restart replays them.
  await client.close()
  await broker.close()
  broker = await Broker.start(options)
  client = await WireClient.connect(broker.address.port)
  const described = await client.call(DescribeAcls, { filter: { resourceType: 'Cluster' } })
  assert.equal(described.bindings.map((acl) => acl.operation).sort(), ['Alter', 'Create'])
  await client.close()
  await broker.close()
})

test('a deny for this host beats an allow for everyone', async () => {
  const broker = await startBroker({ authorizer: 'acl' })
  await broker.cluster.submit(
    {
      type: 'aclsCreated',
      bindings: [
        binding('All', 'Topic', '*', { principal: 'User:*' }),
        binding('All', 'Cluster', 'weir-cluster', { principal: 'User:*' }),
        binding('Write', 'Topic', 'audit-', {
          patternType: 'prefixed',
          permission: 'deny',
          host: '127.0.0.1',
        }),
      ],
    },
    5000,
  )
  const client = await WireClient.connect(broker.address.port)
  await client.call(CreateTopics, {
    topics: [
      { name: 'audit-log', partitions: 1, replicationFactor: 1, config: {} },
      { name: 'orders', partitions: 1, replicationFactor: 1, config: {} },
    ],
  })
  assert.is((await produce(client, 'orders', 0, batchOf(recordsFor('o', 1)))).errorCode, 0)
  const denied = await produce(client, 'audit-log', 0, batchOf(recordsFor('a', 1)))
  assert.is(denied.errorCode, ErrorCodes.TOPIC_AUTHORIZATION_FAILED.code)
  assert.is((await fetchOnce(client, 'audit-log', 0, 0)).errorCode, 0)
  await client.close()
  await broker.close()
})

test('an open broker logs one warning at start; one with an authorizer does not', async () => {
  const open = memoryLogger('warn')
  await (await startBroker({ logger: open.logger })).close()
  const warnings = open.lines().filter((line) => /this broker is open/.test(String(line.msg)))
  assert.is(warnings.length, 1)
  const guarded = memoryLogger('warn')
  await (await startBroker({ logger: guarded.logger, authorizer: 'acl' })).close()
  assert.not.ok(guarded.lines().some((line) => /this broker is open/.test(String(line.msg))))
})

test.run()
