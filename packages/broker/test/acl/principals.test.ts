// Proves the per-API checks for named principals (as SASL or mTLS will set them on the session): alice with Write on orders produces but cannot read payments, group APIs need Group:Read / Describe, OffsetCommit also needs Topic:Read, ListGroups hides groups, InitProducerId needs Write somewhere, and a super user needs no binding.
import {
  type AclBinding,
  CreateTopics,
  decodeBody,
  ErrorCodes,
  encodeBody,
  Fetch,
  InitProducerId,
  ListGroups,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  Produce,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/broker.js'
import { type HandlerContext, handlerFor } from '../../src/handlers/index.js'
import { batchOf, recordsFor, removeTempDirectories, startBroker } from '../support/broker.js'

function allow(
  principal: string,
  operation: AclBinding['operation'],
  resourceType: AclBinding['resourceType'],
  resourceName: string,
): AclBinding {
  return {
    principal,
    host: '*',
    operation,
    permission: 'allow',
    resourceType,
    resourceName,
    patternType: 'literal',
  }
}

/** The broker's own handler context with the session a SASL or mTLS handshake would have set. */
function as(broker: Broker, principal: string): HandlerContext {
  const context = broker['context'] as HandlerContext
  return { ...context, clientHost: '127.0.0.1', session: { principal, authenticated: true } }
}

async function call<Request, Response>(
  api: { apiKey: number } & {
    decodeRequest(body: unknown): Request
    decodeResponse(body: unknown): Response
  },
  request: Request,
  context: HandlerContext,
): Promise<Response> {
  // Through the wire codec both ways, as a connection would, so defaults are filled in.
  const decoded = api.decodeRequest(decodeBody(encodeBody(request), 'request'))
  const response = await handlerFor(api.apiKey)!.handle(decoded, context)
  return api.decodeResponse(decodeBody(encodeBody(response), 'response'))
}

// Set up once, by the first test that needs it (not at import: uvu imports every file before
// running the first suite, and another file's cleanup then deletes this broker's directory under
// it); each test awaits it, so a failed setup fails every test (a throwing uvu before hook would
// skip them silently).
let setUpOnce: Promise<Broker> | undefined
const ready = () => (setUpOnce ??= setUp())

async function setUp(): Promise<Broker> {
  const broker = await startBroker({ authorizer: 'acl', superUsers: ['User:admin'] })
  const admin = as(broker, 'User:admin')
  await broker.cluster.submit(
    {
      type: 'aclsCreated',
      bindings: [
        allow('User:alice', 'Write', 'Topic', 'orders'),
        allow('User:alice', 'Read', 'Group', 'billing'),
        allow('User:bob', 'Read', 'Group', 'billing'),
        allow('User:bob', 'Read', 'Topic', 'payments'),
      ],
    },
    5000,
  )
  for (const name of ['orders', 'payments']) {
    const { topics } = await call(
      CreateTopics,
      { topics: [{ name, partitions: 1, replicationFactor: 1, config: {} }] },
      admin,
    )
    assert.is(topics[0]!.errorCode, 0, `admin creates ${name}: ${topics[0]!.errorMessage}`)
  }
  return broker
}

test.after(async () => {
  if (setUpOnce !== undefined) await (await setUpOnce).close()
  removeTempDirectories()
})

const produceTo = (topic: string) => ({
  acks: -1 as const,
  timeoutMs: 5000,
  topics: [{ name: topic, partitions: [{ partition: 0, records: batchOf(recordsFor(topic, 1)) }] }],
})
const fetchFrom = (topic: string) => ({
  maxWaitMs: 0,
  minBytes: 0,
  maxBytes: 1024 * 1024,
  topics: [{ name: topic, partitions: [{ partition: 0, fetchOffset: 0, maxBytes: 1024 * 1024 }] }],
})

test('alice writes orders but reads neither orders nor payments; bob reads payments', async () => {
  const broker = await ready()
  const alice = as(broker, 'User:alice')
  const produced = await call(Produce, produceTo('orders'), alice)
  assert.is(produced!.topics[0]!.partitions[0]!.errorCode, 0)
  const refused = await call(Produce, produceTo('payments'), alice)
  assert.is(refused!.topics[0]!.partitions[0]!.errorCode, ErrorCodes.TOPIC_AUTHORIZATION_FAILED.code)
  for (const topic of ['orders', 'payments']) {
    const read = await call(Fetch, fetchFrom(topic), alice)
    assert.is(read.topics[0]!.partitions[0]!.errorCode, ErrorCodes.TOPIC_AUTHORIZATION_FAILED.code, topic)
  }
  const bob = as(broker, 'User:bob')
  assert.is((await call(Fetch, fetchFrom('payments'), bob)).topics[0]!.partitions[0]!.errorCode, 0)
  const listed = await call(Metadata, { topics: null }, bob)
  assert.equal(
    listed.topics.map((topic) => topic.name),
    ['payments'],
  )
})

test('OffsetCommit needs Group:Read and Topic:Read; the group check comes with the group', async () => {
  const broker = await ready()
  const commit = (groupId: string, topic: string) => ({
    groupId,
    generationId: -1,
    memberId: '',
    topics: [{ name: topic, partitions: [{ partition: 0, offset: 0, metadata: '' }] }],
  })
  const bob = as(broker, 'User:bob')
  const ok = await call(OffsetCommit, commit('billing', 'payments'), bob)
  assert.is(ok.topics[0]!.partitions[0]!.errorCode, 0)
  const topicDenied = await call(OffsetCommit, commit('billing', 'orders'), bob)
  assert.is(topicDenied.topics[0]!.partitions[0]!.errorCode, ErrorCodes.TOPIC_AUTHORIZATION_FAILED.code)
  const groupDenied = await call(OffsetCommit, commit('shipping', 'payments'), bob)
  assert.is(groupDenied.topics[0]!.partitions[0]!.errorCode, ErrorCodes.GROUP_AUTHORIZATION_FAILED.code)
  const charlie = as(broker, 'User:charlie')
  const fetched = await call(OffsetFetch, { groupId: 'billing', topics: null }, charlie)
  assert.is(fetched.errorCode, ErrorCodes.GROUP_AUTHORIZATION_FAILED.code)
  // Bob may describe billing (Read implies Describe) and payments, so he sees his commit.
  const own = await call(OffsetFetch, { groupId: 'billing', topics: null }, bob)
  assert.equal(
    own.topics.map((topic) => topic.name),
    ['payments'],
  )
})

test('ListGroups lists only groups the principal may describe', async () => {
  const broker = await ready()
  const admin = as(broker, 'User:admin')
  const all = await call(ListGroups, { statesFilter: [] }, admin)
  assert.ok(all.groups.some((group) => group.groupId === 'billing'))
  const charlie = await call(ListGroups, { statesFilter: [] }, as(broker, 'User:charlie'))
  assert.equal(charlie.groups, [])
})

test('InitProducerId needs Write on the cluster or on some topic', async () => {
  const broker = await ready()
  const alice = await call(InitProducerId, {}, as(broker, 'User:alice'))
  assert.is(alice.errorCode, 0)
  try {
    await call(InitProducerId, {}, as(broker, 'User:bob'))
    assert.unreachable('bob writes nowhere')
  } catch (error) {
    assert.match(String(error), /User:bob may not Write the cluster/)
  }
})

test('a super user needs no binding', async () => {
  const broker = await ready()
  const admin = as(broker, 'User:admin')
  const read = await call(Fetch, fetchFrom('orders'), admin)
  assert.is(read.topics[0]!.partitions[0]!.errorCode, 0)
  assert.ok(read.topics[0]!.partitions[0]!.records.length > 0)
})

test('requests on the peer listener come from authenticated brokers and are not ACL-checked', async () => {
  const broker = await ready()
  const peer = { ...as(broker, 'User:ANONYMOUS'), listener: 'peer' as const }
  const read = await call(Fetch, fetchFrom('orders'), peer)
  assert.is(read.topics[0]!.partitions[0]!.errorCode, 0)
  const client = await call(Fetch, fetchFrom('orders'), as(broker, 'User:ANONYMOUS'))
  assert.is(client.topics[0]!.partitions[0]!.errorCode, ErrorCodes.TOPIC_AUTHORIZATION_FAILED.code)
})

test.run()
