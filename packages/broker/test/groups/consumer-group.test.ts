// Proves the broker-driven group protocol's coordinator (ConsumerGroupMembers): with answers delivered late and in any interleaving of joins, heartbeats, leaves and crashes, no partition is ever owned by two live members; once members keep heartbeating the group converges to a balanced assignment of every partition; stale epochs are fenced; held heartbeats are answered when a partition is freed.
import { type ConsumerGroupHeartbeatResponse, ErrorCodes, type TopicPartitionNumbers } from '@weir/protocol'
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ConsumerGroupMembers } from '../../src/groups/consumer-group.js'
import { resolveGroupLimits } from '../../src/groups/group-limits.js'
import { GroupOutbox } from '../../src/groups/group-output.js'
import { partitionKey } from '../../src/groups/target-assignment.js'

const topic = 't'
const sessionTimeoutMs = 1000

interface SimulatedMember {
  memberId: string
  epoch: number
  /** What the member really owns (consumes) now. */
  owned: Set<string>
  /** Its request in flight or held at the coordinator. */
  pending: number | undefined
  /** An answer that reached the member's socket, not yet acted on. */
  inbox: ConsumerGroupHeartbeatResponse | undefined
  alive: boolean
}

class Simulation {
  readonly outbox = new GroupOutbox()
  readonly group: ConsumerGroupMembers
  readonly members: SimulatedMember[] = []
  partitions: number
  nowMs = 0
  private nextRequest = 1
  private nextMember = 1
  private readonly requests = new Map<number, SimulatedMember>()

  constructor(partitions: number) {
    this.partitions = partitions
    this.group = new ConsumerGroupMembers('g', {
      limits: resolveGroupLimits({ minSessionTimeoutMs: 10 }),
      outbox: this.outbox,
      newMemberId: () => `m${this.nextMember++}`,
      partitionsOf: (name) => (name === topic ? this.partitions : undefined),
    })
  }

  private send(member: SimulatedMember, epoch: number, extra: object): void {
    const requestId = this.nextRequest++
    member.pending = requestId
    this.requests.set(requestId, member)
    this.group.heartbeat(
      requestId,
      { groupId: 'g', memberId: member.memberId, memberEpoch: epoch, ...extra },
      'host',
      this.nowMs,
    )
    this.collect()
  }

  collect(): void {
    for (const answer of this.outbox.take().responses) {
      const member = this.requests.get(answer.requestId)!
      this.requests.delete(answer.requestId)
      if (member.pending !== answer.requestId) continue
      member.pending = undefined
      member.inbox = answer.response as ConsumerGroupHeartbeatResponse
    }
  }

  join(): void {
    const member: SimulatedMember = {
      memberId: '',
      epoch: 0,
      owned: new Set(),
      pending: undefined,
      inbox: undefined,
      alive: true,
    }
    this.members.push(member)
    this.send(member, 0, { subscribedTopicNames: [topic], sessionTimeoutMs })
  }

  /** The member acts on its answer: it owns exactly what it was told (revoking first). */
  deliver(member: SimulatedMember): void {
    const answer = member.inbox
    if (answer === undefined || !member.alive) return
    member.inbox = undefined
    if (answer.errorCode !== 0) {
      // As the client does: drop everything as lost and join again.
      member.owned = new Set()
      member.memberId = ''
      member.epoch = 0
      return
    }
    member.memberId = answer.memberId
    member.epoch = answer.memberEpoch
    member.owned = keys(answer.assignment ?? [])
  }

  heartbeat(member: SimulatedMember, maxWaitMs: number): void {
    if (!member.alive || member.pending !== undefined || member.inbox !== undefined) return
    if (member.memberId === '') this.send(member, 0, { subscribedTopicNames: [topic], sessionTimeoutMs })
    else this.send(member, member.epoch, { ownedPartitions: numbers(member.owned), maxWaitMs })
  }

  leave(member: SimulatedMember): void {
    if (!member.alive || member.pending !== undefined || member.inbox !== undefined || member.memberId === '')
      return
    member.owned = new Set()
    member.alive = false
    this.send(member, -1, {})
  }

  crash(member: SimulatedMember): void {
    if (!member.alive) return
    member.alive = false
  }

  tick(advanceMs: number): void {
    this.nowMs += advanceMs
    this.group.tick(this.nowMs)
    this.collect()
  }

  /** No partition in the hands of two members in good standing (a crashed one is, until its session
   *  ends; one the coordinator removed is a zombie whose commits are fenced, as in any group). */
  assertExclusive(): void {
    const owner = new Map<string, string>()
    for (const member of this.members) {
      if (!this.group.members.has(member.memberId)) continue
      for (const key of member.owned) {
        assert.not.ok(owner.has(key), `${key} owned by ${owner.get(key)} and ${member.memberId}`)
        owner.set(key, member.memberId)
      }
    }
  }
}

function keys(list: readonly TopicPartitionNumbers[]): Set<string> {
  return new Set(
    list.flatMap(({ name, partitions }) => partitions.map((partition) => partitionKey(name, partition))),
  )
}

function numbers(owned: ReadonlySet<string>): TopicPartitionNumbers[] {
  return [{ name: topic, partitions: [...owned].map((key) => Number(key.split('\u0000')[1])) }]
}

/** Every live member heartbeats and acts on its answers until nothing changes. */
function converge(simulation: Simulation): void {
  for (let round = 0; round < 50; round++) {
    for (const member of simulation.members) simulation.deliver(member)
    for (const member of simulation.members) simulation.heartbeat(member, 0)
    simulation.assertExclusive()
  }
  for (const member of simulation.members) simulation.deliver(member)
}

const action = fc.oneof(
  fc.constant({ kind: 'join' as const }),
  fc.record({ kind: fc.constant('deliver' as const), member: fc.nat(3) }),
  fc.record({ kind: fc.constant('heartbeat' as const), member: fc.nat(3), held: fc.boolean() }),
  fc.record({ kind: fc.constant('leave' as const), member: fc.nat(3) }),
  fc.record({ kind: fc.constant('crash' as const), member: fc.nat(3) }),
  fc.record({ kind: fc.constant('tick' as const), advanceMs: fc.integer({ min: 1, max: 150 }) }),
  fc.constant({ kind: 'grow' as const }),
)

test('property: no partition is ever owned by two live members, whatever the order of answers and events', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.array(action, { maxLength: 120 }),
      (partitions, actions) => {
        const simulation = new Simulation(partitions)
        for (const step of actions) {
          const member =
            'member' in step
              ? simulation.members[step.member % Math.max(1, simulation.members.length)]
              : undefined
          if (step.kind === 'join') simulation.join()
          else if (step.kind === 'tick') simulation.tick(step.advanceMs)
          else if (step.kind === 'grow') {
            simulation.partitions += 1
            simulation.group.partitionsChanged()
            simulation.collect()
          } else if (member !== undefined) {
            if (step.kind === 'deliver') simulation.deliver(member)
            else if (step.kind === 'heartbeat') simulation.heartbeat(member, step.held ? 200 : 0)
            else if (step.kind === 'leave') simulation.leave(member)
            else simulation.crash(member)
          }
          simulation.assertExclusive()
        }
        // Let crashed sessions end (the others keep heartbeating), then everyone converges.
        for (let step = 0; step < 4; step++) {
          converge(simulation)
          simulation.tick(sessionTimeoutMs / 2)
        }
        converge(simulation)
        const live = simulation.members.filter((member) => member.alive)
        if (live.length === 0) return
        const counts = live.map((member) => member.owned.size)
        assert.is(
          counts.reduce((sum, count) => sum + count, 0),
          simulation.partitions,
          'every partition owned',
        )
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `balanced: ${counts}`)
      },
    ),
    { numRuns: 1000 },
  )
})

test("a partition moves only after its old owner reports it gone; the new owner's held heartbeat is answered then", () => {
  const simulation = new Simulation(2)
  simulation.join()
  const [first] = simulation.members
  simulation.deliver(first!)
  assert.is(first!.owned.size, 2)
  simulation.join()
  const second = simulation.members[1]!
  simulation.deliver(second)
  assert.is(second.owned.size, 0, 'both partitions are still with the first member')
  simulation.heartbeat(second, 500)
  assert.ok(second.pending !== undefined && second.inbox === undefined, 'held: nothing to give yet')
  simulation.heartbeat(first!, 0)
  simulation.deliver(first!)
  assert.is(first!.owned.size, 1, 'told to give one up')
  assert.ok(second.inbox === undefined, 'not yet: the first member has not reported it gone')
  simulation.heartbeat(first!, 500)
  assert.ok(second.inbox !== undefined, 'the freed partition wakes the held heartbeat')
  simulation.deliver(second)
  assert.is(second.owned.size, 1)
  simulation.assertExclusive()
})

test('a partition the old owner has been told to drop, but has not yet dropped, is not given away', () => {
  const simulation = new Simulation(2)
  simulation.join()
  const first = simulation.members[0]!
  simulation.deliver(first)
  simulation.join()
  const second = simulation.members[1]!
  simulation.deliver(second)
  simulation.heartbeat(first, 0)
  assert.ok(first.inbox !== undefined, 'the answer telling it to drop one partition is on its way')
  simulation.heartbeat(second, 0)
  simulation.deliver(second)
  assert.is(second.owned.size, 0, 'the first member still holds it')
  simulation.assertExclusive()
})

test('a stale epoch is FENCED_MEMBER_EPOCH; an unknown member UNKNOWN_MEMBER_ID; a join needs topics', () => {
  const simulation = new Simulation(1)
  simulation.join()
  const member = simulation.members[0]!
  simulation.deliver(member)
  const answers: ConsumerGroupHeartbeatResponse[] = []
  for (const [memberId, memberEpoch, extra] of [
    [member.memberId, member.epoch + 5, {}],
    ['ghost', 1, {}],
    ['', 0, {}],
  ] as const) {
    simulation.group.heartbeat(
      900 + answers.length,
      { groupId: 'g', memberId, memberEpoch, ...extra },
      'h',
      0,
    )
    answers.push(simulation.outbox.take().responses[0]!.response as ConsumerGroupHeartbeatResponse)
  }
  assert.equal(
    answers.map((answer) => answer.errorCode),
    [ErrorCodes.FENCED_MEMBER_EPOCH.code, ErrorCodes.UNKNOWN_MEMBER_ID.code, ErrorCodes.INVALID_REQUEST.code],
  )
})

test("a crashed member's partitions go to the others once its session expires", () => {
  const simulation = new Simulation(4)
  simulation.join()
  simulation.join()
  converge(simulation)
  const [survivor, crashed] = simulation.members
  simulation.crash(crashed!)
  simulation.tick(600)
  converge(simulation)
  assert.is(survivor!.owned.size, 2, 'not before the crashed session ends')
  simulation.tick(600)
  converge(simulation)
  assert.is(survivor!.owned.size, 4)
})

test.run()
