// Proves ConsumerGroupHeartbeat over real sockets: two members converge on a split of the topic with no partition given twice, a held heartbeat is answered the moment a leave frees partitions, commits are fenced by member epoch, DescribeGroups shows members and assignments, and a classic JoinGroup to the same group is refused.
import {
  ConsumerGroupHeartbeat,
  type ConsumerGroupHeartbeatResponse,
  DescribeGroups,
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  ErrorCodes,
  encodeConsumerSubscription,
  JoinGroup,
  OffsetCommit,
  type TopicPartitionNumbers,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { createTopic, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

const groupId = 'kip848'
const topic = 'orders'

test.after(() => removeTempDirectories())

class Member {
  memberId = ''
  epoch = 0
  assignment: TopicPartitionNumbers[] = []
  private constructor(readonly client: WireClient) {}

  static async connect(broker: Broker): Promise<Member> {
    return new Member(await WireClient.connect(broker.address.port))
  }

  async join(): Promise<ConsumerGroupHeartbeatResponse> {
    return this.take(
      await this.client.call(ConsumerGroupHeartbeat, {
        groupId,
        memberId: '',
        memberEpoch: 0,
        sessionTimeoutMs: 5000,
        subscribedTopicNames: [topic],
      }),
    )
  }

  /** Reports it owns exactly its last assignment (it acted on it), optionally held. */
  async heartbeat(maxWaitMs = 0): Promise<ConsumerGroupHeartbeatResponse> {
    return this.take(
      await this.client.call(ConsumerGroupHeartbeat, {
        groupId,
        memberId: this.memberId,
        memberEpoch: this.epoch,
        ownedPartitions: this.assignment,
        ...(maxWaitMs > 0 ? { maxWaitMs } : {}),
      }),
    )
  }

  private take(answer: ConsumerGroupHeartbeatResponse): ConsumerGroupHeartbeatResponse {
    assert.is(answer.errorCode, 0, answer.errorMessage)
    this.memberId = answer.memberId
    this.epoch = answer.memberEpoch
    this.assignment = answer.assignment?.map((entry) => ({ ...entry })) ?? []
    return answer
  }

  get partitions(): number[] {
    return this.assignment.flatMap((entry) => entry.partitions)
  }
}

test('two members converge without a partition given twice; a held heartbeat wakes when a leave frees partitions', async () => {
  const broker = await startBroker({ groups: { offsetsPartitions: 2, limits: { minSessionTimeoutMs: 10 } } })
  await broker.groups.loaded
  try {
    const first = await Member.connect(broker)
    await createTopic(first.client, topic, 4)
    await first.join()
    assert.equal(first.partitions, [0, 1, 2, 3])
    const second = await Member.connect(broker)
    await second.join()
    assert.equal(second.partitions, [], 'all four are still with the first member')
    await first.heartbeat()
    assert.is(first.partitions.length, 2, 'the first is told to give two up')
    await second.heartbeat()
    assert.equal(second.partitions, [], 'not before the first reported them gone')
    await first.heartbeat()
    await second.heartbeat()
    assert.is(second.partitions.length, 2)
    assert.equal([...first.partitions, ...second.partitions].sort(), [0, 1, 2, 3])

    // Commits are fenced by the member epoch.
    const commit = (memberEpoch: number) =>
      first.client.call(OffsetCommit, {
        groupId,
        generationId: memberEpoch,
        memberId: first.memberId,
        topics: [{ name: topic, partitions: [{ partition: first.partitions[0]!, offset: 1 }] }],
      })
    assert.is((await commit(first.epoch)).topics[0]!.partitions[0]!.errorCode, 0)
    assert.is(
      (await commit(first.epoch - 1)).topics[0]!.partitions[0]!.errorCode,
      ErrorCodes.FENCED_MEMBER_EPOCH.code,
    )

    const described = (await first.client.call(DescribeGroups, { groups: [groupId] })).groups[0]!
    assert.is(described.members.length, 2)
    const shown = described.members.find((member) => member.memberId === second.memberId)!
    assert.equal(decodeConsumerAssignment(shown.assignment).partitions.get(topic), second.partitions)
    assert.is(decodeConsumerSubscription(shown.metadata).generationId, second.epoch, 'the member epoch')

    const classic = await first.client.call(JoinGroup, {
      groupId,
      sessionTimeoutMs: 5000,
      rebalanceTimeoutMs: 5000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [
        {
          name: 'range',
          metadata: encodeConsumerSubscription({
            topics: [topic],
            ownedPartitions: new Map(),
            generationId: -1,
          }),
        },
      ],
    })
    assert.is(classic.errorCode, ErrorCodes.INCONSISTENT_GROUP_PROTOCOL.code)

    const held = second.heartbeat(30_000)
    const startedMs = performance.now()
    await first.client.call(ConsumerGroupHeartbeat, {
      groupId,
      memberId: first.memberId,
      memberEpoch: -1,
    })
    await held
    assert.ok(performance.now() - startedMs < 10_000, 'answered by the leave, not by the 30 s hold')
    assert.equal(second.partitions, [0, 1, 2, 3])
    await first.client.close()
    await second.client.close()
  } finally {
    await broker.close()
  }
})

test.run()
