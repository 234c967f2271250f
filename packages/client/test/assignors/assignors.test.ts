// Proves range, round-robin and cooperative-sticky assign every partition of a subscribed topic to exactly one subscribed member, deterministically; round-robin and cooperative-sticky balance within one for equal subscriptions; cooperative-sticky moves only what balance requires and withholds moving partitions for one rebalance.
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type Assignor,
  type AssignorMember,
  cooperativeStickyAssignor,
  type MemberAssignment,
  planCooperativeAssignment,
  rangeAssignor,
  roundRobinAssignor,
} from '../../src/assignors/index.js'

const assignors: Assignor[] = [rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor]

function member(
  memberId: string,
  subscription: string[],
  owned: MemberAssignment = new Map(),
  generationId = 1,
): AssignorMember {
  return { memberId, subscription, ownedPartitions: owned, generationId }
}

function count(assignment: MemberAssignment | undefined): number {
  return [...(assignment ?? new Map()).values()].reduce((sum, partitions) => sum + partitions.length, 0)
}

/** owner of each "topic/partition" */
function owners(assignments: Map<string, MemberAssignment>): Map<string, string[]> {
  const result = new Map<string, string[]>()
  for (const [memberId, assignment] of assignments)
    for (const [topic, partitions] of assignment)
      for (const partition of partitions)
        result.set(`${topic}/${partition}`, [...(result.get(`${topic}/${partition}`) ?? []), memberId])
  return result
}

const topicNames = ['a', 'b', 'c', 'd']
const scenario = fc.record({
  counts: fc.tuple(...topicNames.map(() => fc.integer({ min: 0, max: 12 }))),
  members: fc.uniqueArray(
    fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), topics: fc.subarray(topicNames) }),
    { minLength: 1, maxLength: 7, selector: (entry) => entry.id },
  ),
})

function partitionsPerTopic(counts: number[]): Map<string, number> {
  return new Map(topicNames.map((topic, index) => [topic, counts[index]!]))
}

test('golden: range and round-robin over 2 members, 2 topics of 3 partitions', () => {
  const members = [member('m2', ['t1', 't2']), member('m1', ['t1', 't2'])]
  const counts = new Map([
    ['t1', 3],
    ['t2', 3],
  ])
  assert.equal(
    rangeAssignor.assign(members, counts),
    new Map([
      [
        'm1',
        new Map([
          ['t1', [0, 1]],
          ['t2', [0, 1]],
        ]),
      ],
      [
        'm2',
        new Map([
          ['t1', [2]],
          ['t2', [2]],
        ]),
      ],
    ]),
  )
  assert.equal(
    roundRobinAssignor.assign(members, counts),
    new Map([
      [
        'm1',
        new Map([
          ['t1', [0, 2]],
          ['t2', [1]],
        ]),
      ],
      [
        'm2',
        new Map([
          ['t1', [1]],
          ['t2', [0, 2]],
        ]),
      ],
    ]),
  )
})

test('every partition of a subscribed topic goes to exactly one subscribed member; deterministic under reordering (property)', () => {
  fc.assert(
    fc.property(scenario, fc.integer(), ({ counts, members }, seed) => {
      const perTopic = partitionsPerTopic(counts)
      const input = members.map(({ id, topics }) => member(id, topics))
      const shuffled = [...input].sort(
        (x, y) => ((x.memberId.charCodeAt(0) * seed) % 7) - ((y.memberId.charCodeAt(0) * seed) % 7),
      )
      for (const assignor of assignors) {
        const result = assignor.assign(input, perTopic)
        assert.equal(assignor.assign(shuffled, perTopic), result, `${assignor.name} is deterministic`)
        assert.equal([...result.keys()].sort(), input.map((entry) => entry.memberId).sort())
        const byPartition = owners(result)
        for (const [index, topic] of topicNames.entries()) {
          const subscribers = members.filter((entry) => entry.topics.includes(topic)).map((entry) => entry.id)
          for (let partition = 0; partition < counts[index]!; partition++) {
            const holders = byPartition.get(`${topic}/${partition}`) ?? []
            if (subscribers.length === 0) assert.equal(holders, [], `${assignor.name}: unsubscribed ${topic}`)
            else {
              assert.is(holders.length, 1, `${assignor.name}: ${topic}/${partition} exactly once`)
              assert.ok(subscribers.includes(holders[0]!), `${assignor.name}: to a subscriber`)
            }
          }
        }
      }
    }),
    { numRuns: 300 },
  )
})

test('round-robin and cooperative-sticky balance within one when subscriptions are equal (property)', () => {
  fc.assert(
    fc.property(
      fc.tuple(...topicNames.map(() => fc.integer({ min: 0, max: 20 }))),
      fc.integer({ min: 1, max: 9 }),
      fc.subarray(topicNames, { minLength: 1 }),
      (counts, size, topics) => {
        const members = Array.from({ length: size }, (_, index) => member(`m${index}`, topics))
        for (const assignor of [roundRobinAssignor, cooperativeStickyAssignor]) {
          const loads = [...assignor.assign(members, partitionsPerTopic(counts)).values()].map(count)
          assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `${assignor.name}: ${loads}`)
        }
      },
    ),
    { numRuns: 300 },
  )
})

/** The fewest partitions members must give up to reach floor/ceil quotas (largest holders keep ceil). */
function minimumMoves(loads: number[], total: number, memberCount: number): number {
  const floor = Math.floor(total / memberCount)
  let ceilings = total % memberCount
  let moves = 0
  for (const load of [...loads].sort((a, b) => b - a)) {
    const quota = ceilings > 0 && load > floor ? floor + 1 : floor
    if (quota > floor) ceilings -= 1
    moves += Math.max(0, load - quota)
  }
  return moves
}

test('cooperative-sticky moves only what balance requires when a member joins or leaves, and settles in a second rebalance (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 1, max: 8 }),
      fc.boolean(),
      fc.nat(),
      (partitions, size, joining, pick) => {
        const perTopic = new Map([['t', partitions]])
        const before = cooperativeStickyAssignor.assign(
          Array.from({ length: size }, (_, index) => member(`m${index}`, ['t'])),
          perTopic,
        )
        const staying = [...before.keys()].filter(
          (_, index) => joining || size === 1 || index !== pick % size,
        )
        const next = staying.map((memberId) => member(memberId, ['t'], before.get(memberId)))
        if (joining || size === 1) next.push(member('new', ['t']))
        const plan = planCooperativeAssignment(next, perTopic)
        let moved = 0
        for (const memberId of staying) {
          const kept = new Set(plan.target.get(memberId)?.get('t') ?? [])
          moved += (before.get(memberId)?.get('t') ?? []).filter((partition) => !kept.has(partition)).length
        }
        const loads = staying.map((memberId) => count(before.get(memberId)))
        assert.is(moved, minimumMoves(loads, partitions, next.length), 'moves exactly the minimum')
        // Withheld this round: exactly the partitions that change owner between staying members.
        const withheld =
          count(plan.target.get(next.at(-1)!.memberId)) - count(plan.assignment.get(next.at(-1)!.memberId))
        assert.ok(withheld >= 0)
        for (const memberId of staying)
          for (const partition of plan.assignment.get(memberId)?.get('t') ?? [])
            assert.ok(
              (before.get(memberId)?.get('t') ?? []).includes(partition) ||
                !staying.some((other) => (before.get(other)?.get('t') ?? []).includes(partition)),
              'a member only gets a partition nobody else still owns',
            )
        // Second rebalance: members own what they were given; the target is reached and nothing is withheld.
        const second = planCooperativeAssignment(
          next.map((entry) => member(entry.memberId, ['t'], plan.assignment.get(entry.memberId), 2)),
          perTopic,
        )
        assert.equal(second.assignment, plan.target)
        assert.equal(second.target, plan.target)
      },
    ),
    { numRuns: 300 },
  )
})

test('cooperative-sticky: owned partitions stay; a moving partition is withheld one round; conflicting claims go to the newest generation', () => {
  const perTopic = new Map([['t', 4]])
  const a = member('a', ['t'], new Map([['t', [0, 1, 2, 3]]]))
  const plan = planCooperativeAssignment([a, member('b', ['t'])], perTopic)
  assert.equal(plan.target.get('a'), new Map([['t', [0, 1]]]))
  assert.equal(plan.target.get('b'), new Map([['t', [2, 3]]]))
  assert.equal(plan.assignment.get('a'), new Map([['t', [0, 1]]]))
  assert.equal(plan.assignment.get('b'), new Map(), 'b waits until a revoked 2 and 3')
  const conflict = planCooperativeAssignment(
    [member('old', ['t'], new Map([['t', [0]]]), 3), member('new', ['t'], new Map([['t', [0]]]), 4)],
    new Map([['t', 1]]),
  )
  assert.equal(conflict.target.get('new'), new Map([['t', [0]]]))
  assert.equal(conflict.assignment.get('new'), new Map(), 'the stale owner must revoke first')
  const gone = planCooperativeAssignment(
    [member('a', ['t'], new Map([['t', [0, 1, 5]]]))],
    new Map([['t', 2]]),
  )
  assert.equal(
    gone.assignment.get('a'),
    new Map([['t', [0, 1]]]),
    'partitions that no longer exist are dropped',
  )
})

test.run()
