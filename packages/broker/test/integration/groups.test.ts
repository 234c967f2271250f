// Proves the broker's group coordinator over real sockets: join/sync/heartbeat/leave, session expiry, offsets, fencing, restart, static members, compaction and close.
import {
  DeleteGroups,
  DescribeGroups,
  ErrorCodes,
  encodeConsumerSubscription,
  FindCoordinator,
  Heartbeat,
  JoinGroup,
  type JoinGroupRequest,
  type JoinGroupResponse,
  LeaveGroup,
  ListGroups,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  SyncGroup,
  type SyncGroupResponse,
} from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker, BrokerOptions } from '../../src/index.js'
import { createTopic, removeTempDirectories, startBroker, tempDirectory } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

const {
  REBALANCE_IN_PROGRESS,
  ILLEGAL_GENERATION,
  UNKNOWN_MEMBER_ID,
  FENCED_INSTANCE_ID,
  UNKNOWN_TOPIC,
  UNKNOWN_PARTITION,
  BROKER_SHUTTING_DOWN,
} = ErrorCodes
const sessionTimeoutMs = 400
const rebalanceTimeoutMs = 3000
const groupId = 'billing'

test.after(() => removeTempDirectories())

async function groupBroker(options: Partial<BrokerOptions> = {}): Promise<Broker> {
  const broker = await startBroker({
    groups: { offsetsPartitions: 4, limits: { minSessionTimeoutMs: 10 }, ...options.groups },
    ...options,
  })
  await broker.groups.loaded
  return broker
}

class Member {
  memberId = ''
  generationId = -1
  private constructor(
    readonly client: WireClient,
    readonly instanceId?: string,
  ) {}

  static async connect(broker: Broker, instanceId?: string): Promise<Member> {
    return new Member(await WireClient.connect(broker.address.port), instanceId)
  }

  /** Sends JoinGroup; the answer may be held until the rebalance completes. */
  async join(extra: Partial<JoinGroupRequest> = {}): Promise<JoinGroupResponse> {
    const answer = await this.client.call(JoinGroup, {
      groupId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      memberId: this.memberId,
      ...(this.instanceId === undefined ? {} : { groupInstanceId: this.instanceId }),
      protocolType: 'consumer',
      protocols: [
        {
          name: 'range',
          metadata: encodeConsumerSubscription({
            topics: ['orders'],
            ownedPartitions: new Map(),
            generationId: -1,
          }),
        },
      ],
      clientId: 'test',
      ...extra,
    })
    if (answer.errorCode === 0 || answer.errorCode === undefined) {
      this.memberId = answer.memberId
      this.generationId = answer.generationId
    }
    return answer
  }

  sync(assignments: [Member, string][] = []): Promise<SyncGroupResponse> {
    return this.client.call(SyncGroup, {
      groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      ...(this.instanceId === undefined ? {} : { groupInstanceId: this.instanceId }),
      assignments: assignments.map(([member, text]) => ({
        memberId: member.memberId,
        assignment: Buffer.from(text),
      })),
    })
  }

  async heartbeat(generationId = this.generationId, memberId = this.memberId): Promise<number> {
    const answer = await this.client.call(Heartbeat, {
      groupId,
      generationId,
      memberId,
      ...(this.instanceId === undefined ? {} : { groupInstanceId: this.instanceId }),
    })
    return answer.errorCode ?? 0
  }

  close(): Promise<void> {
    return this.client.close()
  }
}

/** Every member (re)joins; the leader assigns each member its own name; returns each assignment. */
async function rebalance(members: Member[]): Promise<string[]> {
  return syncRound(members, await Promise.all(members.map((member) => member.join())))
}

/** Given every member's JoinGroup answer of one generation: the leader assigns, everyone syncs. */
async function syncRound(members: Member[], joins: JoinGroupResponse[]): Promise<string[]> {
  for (const join of joins) assert.is(join.errorCode ?? 0, 0, join.errorMessage)
  const generation = joins[0]!.generationId
  assert.ok(joins.every((join) => join.generationId === generation))
  const leaderIndex = joins.findIndex((join) => join.leader === join.memberId)
  assert.is(joins[leaderIndex]!.members.length, members.length)
  const syncs = await Promise.all(
    members.map((member, index) =>
      member.sync(index === leaderIndex ? members.map((each, at) => [each, `part-${at}`]) : []),
    ),
  )
  return syncs.map((sync) => {
    assert.is(sync.errorCode ?? 0, 0, sync.errorMessage)
    return sync.assignment.toString()
  })
}

/** Heartbeats (as a member would, every 50 ms) until the answer is not 0; fails after 10 s. */
function heartbeatUntilError(member: Member): Promise<number> {
  return eventually(
    'a heartbeat answered with an error code',
    async () => {
      const code = await member.heartbeat()
      return code !== 0 ? code : undefined
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  )
}

async function committed(client: WireClient, topic = 'orders'): Promise<number[]> {
  const answer = await client.call(OffsetFetch, { groupId, topics: [{ name: topic, partitions: [0, 1] }] })
  return answer.topics[0]!.partitions.map((partition) => partition.offset)
}

test('FindCoordinator names this broker; __consumer_offsets is hidden from the topic list', async () => {
  const broker = await groupBroker()
  const client = await WireClient.connect(broker.address.port)
  const answer = await client.call(FindCoordinator, { key: groupId, keyType: 0 })
  assert.equal(answer, { errorCode: 0, nodeId: 1, host: '127.0.0.1', port: broker.address.port })
  const all = await client.call(Metadata, { topics: null })
  assert.not.ok(all.topics.some((topic) => topic.name === '__consumer_offsets'))
  const named = await client.call(Metadata, { topics: ['__consumer_offsets'] })
  assert.is(named.topics[0]!.partitions.length, 4)
  await client.close()
  await broker.close()
})

test('members join and sync; a new member makes the others rebalance; leave and session timeout rebalance', async () => {
  const broker = await groupBroker()
  const [a, b, c] = await Promise.all([0, 1, 2].map(() => Member.connect(broker)))
  assert.equal(await rebalance([a!]), ['part-0'])
  assert.is(await a!.heartbeat(), 0, 'stable')
  const bJoin = b!.join()
  assert.is(await heartbeatUntilError(a!), REBALANCE_IN_PROGRESS.code)
  const joins = [await a!.join(), await bJoin]
  assert.is(b!.generationId, 2)
  assert.equal(await syncRound([a!, b!], joins), ['part-0', 'part-1'])
  assert.is(await a!.heartbeat(), 0)
  assert.is(await b!.heartbeat(), 0)

  const cJoin = c!.join()
  assert.is(await heartbeatUntilError(a!), REBALANCE_IN_PROGRESS.code)
  assert.is(await b!.heartbeat(), REBALANCE_IN_PROGRESS.code)
  const three = await Promise.all([a!.join(), b!.join(), cJoin])
  assert.equal(await syncRound([a!, b!, c!], three), ['part-0', 'part-1', 'part-2'])

  const left = await c!.client.call(LeaveGroup, { groupId, members: [{ memberId: c!.memberId }] })
  assert.is(left.members[0]!.errorCode, 0)
  assert.is(await a!.heartbeat(), REBALANCE_IN_PROGRESS.code, 'a leave rebalances at once')
  assert.equal(await rebalance([a!, b!]), ['part-0', 'part-1'])

  // b goes silent: after its session timeout a is told to rejoin and gets the group alone.
  assert.is(await heartbeatUntilError(a!), REBALANCE_IN_PROGRESS.code)
  assert.equal(await rebalance([a!]), ['part-0'])
  const described = await a!.client.call(DescribeGroups, { groups: [groupId] })
  assert.is(described.groups[0]!.state, 'stable')
  assert.equal(
    described.groups[0]!.members.map((member) => member.memberId),
    [a!.memberId],
  )
  assert.is(described.groups[0]!.members[0]!.clientHost, '127.0.0.1')
  await Promise.all([a!, b!, c!].map((member) => member.close()))
  await broker.close()
})

test('offsets: commit and fetch, unknown topics and partitions refused, all partitions when topics is nil', async () => {
  const broker = await groupBroker()
  const admin = await WireClient.connect(broker.address.port)
  await createTopic(admin, 'orders', 2)
  const a = await Member.connect(broker)
  await rebalance([a])
  const commit = await admin.call(OffsetCommit, {
    groupId,
    generationId: a.generationId,
    memberId: a.memberId,
    topics: [
      {
        name: 'orders',
        partitions: [
          { partition: 0, offset: 42, metadata: 'm' },
          { partition: 7, offset: 1 },
        ],
      },
      { name: 'nope', partitions: [{ partition: 0, offset: 1 }] },
    ],
  })
  assert.equal(
    commit.topics.map((topic) => topic.partitions.map((partition) => partition.errorCode)),
    [[0, UNKNOWN_PARTITION.code], [UNKNOWN_TOPIC.code]],
  )
  assert.equal(await committed(admin), [42, -1])
  const all = await admin.call(OffsetFetch, { groupId, topics: null })
  assert.equal(all.topics, [
    { name: 'orders', partitions: [{ errorCode: 0, partition: 0, offset: 42, metadata: 'm' }] },
  ])
  const stale = await admin.call(OffsetCommit, {
    groupId,
    generationId: a.generationId - 1,
    memberId: a.memberId,
    topics: [{ name: 'orders', partitions: [{ partition: 1, offset: 5 }] }],
  })
  assert.is(stale.topics[0]!.partitions[0]!.errorCode, ILLEGAL_GENERATION.code)
  await Promise.all([a.close(), admin.close()])
  await broker.close()
})

test('fencing: old generation, unknown member, replaced static instance', async () => {
  const broker = await groupBroker()
  const a = await Member.connect(broker, 'pod-a')
  await rebalance([a])
  assert.is(await a.heartbeat(a.generationId - 1), ILLEGAL_GENERATION.code)
  assert.is(await a.heartbeat(a.generationId, 'who-is-this'), FENCED_INSTANCE_ID.code)
  const anonymous = await Member.connect(broker)
  assert.is(await anonymous.heartbeat(1, 'who-is-this'), UNKNOWN_MEMBER_ID.code)
  const restarted = await Member.connect(broker, 'pod-a')
  const join = await restarted.join()
  assert.is(join.generationId, a.generationId, 'no rebalance')
  assert.is(await a.heartbeat(), FENCED_INSTANCE_ID.code, 'the replaced instance is fenced')
  await Promise.all([a.close(), anonymous.close(), restarted.close()])
  await broker.close()
})

test('a static member restarting within its session timeout gets its assignment without a rebalance', async () => {
  const broker = await groupBroker()
  const [a, b] = [await Member.connect(broker, 'pod-a'), await Member.connect(broker, 'pod-b')]
  await rebalance([a])
  const bJoin = b.join()
  await heartbeatUntilError(a)
  const assignments = await syncRound([a, b], await Promise.all([a.join(), bJoin]))
  const generation = b.generationId
  await b.close()
  const restarted = await Member.connect(broker, 'pod-b')
  const join = await restarted.join()
  assert.is(join.generationId, generation)
  const sync = await restarted.sync()
  assert.is(sync.assignment.toString(), assignments[1])
  assert.is(await a.heartbeat(), 0, 'the other member saw no rebalance')
  await Promise.all([a.close(), restarted.close()])
  await broker.close()
})

test('a restart keeps committed offsets and group metadata', async () => {
  const dataDir = tempDirectory()
  let broker = await groupBroker({ dataDir })
  let client = await WireClient.connect(broker.address.port)
  await createTopic(client, 'orders', 2)
  const a = await Member.connect(broker)
  await rebalance([a])
  await a.client.call(OffsetCommit, {
    groupId,
    generationId: a.generationId,
    memberId: a.memberId,
    topics: [{ name: 'orders', partitions: [{ partition: 1, offset: 9 }] }],
  })
  await Promise.all([a.close(), client.close()])
  await broker.close()

  broker = await groupBroker({ dataDir })
  client = await WireClient.connect(broker.address.port)
  assert.equal(await committed(client), [-1, 9])
  const described = (await client.call(DescribeGroups, { groups: [groupId] })).groups[0]!
  assert.is(described.generationId, a.generationId)
  assert.is(described.protocolName, 'range')
  assert.equal(
    described.members.map((member) => [member.memberId, member.assignment.toString()]),
    [[a.memberId, 'part-0']],
  )
  const listed = await client.call(ListGroups, { statesFilter: [] })
  assert.equal(
    listed.groups.map((group) => group.groupId),
    [groupId],
  )
  await client.close()
  await broker.close()
})

test('__consumer_offsets compaction keeps the latest value per key across a restart', async () => {
  const dataDir = tempDirectory()
  const groups = { offsetsPartitions: 1, compactionRecordsMin: 20 }
  let broker = await groupBroker({ dataDir, groups })
  let client = await WireClient.connect(broker.address.port)
  await createTopic(client, 'orders', 2)
  for (let offset = 1; offset <= 100; offset++) {
    await client.call(OffsetCommit, {
      groupId,
      generationId: -1,
      memberId: '',
      topics: [{ name: 'orders', partitions: [{ partition: offset % 2, offset }] }],
    })
  }
  const deleted = await client.call(OffsetCommit, {
    groupId: 'gone',
    generationId: -1,
    memberId: '',
    topics: [{ name: 'orders', partitions: [{ partition: 0, offset: 1 }] }],
  })
  assert.is(deleted.topics[0]!.partitions[0]!.errorCode, 0)
  assert.is((await client.call(DeleteGroups, { groups: ['gone'] })).groups[0]!.errorCode, 0)
  const metadata = await client.call(Metadata, { topics: ['__consumer_offsets'] })
  const partition = metadata.topics[0]!.partitions[0]!
  assert.ok(partition.logStartOffset > 50, `log start moved: ${partition.logStartOffset}`)
  assert.ok(partition.highWatermark - partition.logStartOffset < 45, 'bounded')
  await client.close()
  await broker.close()

  broker = await groupBroker({ dataDir, groups })
  client = await WireClient.connect(broker.address.port)
  assert.equal(await committed(client), [100, 99])
  const gone = await client.call(OffsetFetch, { groupId: 'gone', topics: null })
  assert.equal(gone.topics, [])
  await client.close()
  await broker.close()
})

test('close answers a held JoinGroup with BROKER_SHUTTING_DOWN', async () => {
  const broker = await groupBroker()
  const [a, b] = [await Member.connect(broker), await Member.connect(broker)]
  await rebalance([a])
  const held = b.join()
  await heartbeatUntilError(a)
  await broker.close()
  assert.is((await held).errorCode, BROKER_SHUTTING_DOWN.code)
  await Promise.all([a.close(), b.close()])
})

test.run()
