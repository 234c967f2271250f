// Proves the rebalance and decommission planners on random clusters (fast-check): replication
// factors and distinct replicas are kept, every topic's replicas and preferred leaders end within
// one of each other per broker, a spread topic is left alone, and a decommissioned broker is empty.
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type PartitionPlacement, planDecommission, planRebalance } from '../src/rebalance-plan.js'

interface Scenario {
  readonly brokers: number[]
  readonly partitions: PartitionPlacement[]
}

/** 1 to 7 brokers (ids 1..n), 1 to 3 topics of 1 to 12 partitions, each replica set random. */
const scenario: fc.Arbitrary<Scenario> = fc.integer({ min: 1, max: 7 }).chain((count) => {
  const brokers = Array.from({ length: count }, (_, index) => index + 1)
  const topic = (name: string) =>
    fc.integer({ min: 1, max: count }).chain((factor) =>
      fc
        .array(fc.shuffledSubarray(brokers, { minLength: factor, maxLength: factor }), {
          minLength: 1,
          maxLength: 12,
        })
        .map((sets) => sets.map((replicas, partition) => ({ topic: name, partition, replicas }))),
    )
  return fc.array(topic('t'), { minLength: 1, maxLength: 3 }).map((topics) => ({
    brokers,
    partitions: topics.flatMap((placements, index) =>
      placements.map((placement) => ({ ...placement, topic: `topic-${index}` })),
    ),
  }))
})

function applied(partitions: readonly PartitionPlacement[], moves: readonly PartitionPlacement[]) {
  const next = new Map(moves.map((move) => [`${move.topic}/${move.partition}`, move.replicas]))
  return partitions.map((placement) => ({
    ...placement,
    replicas: next.get(`${placement.topic}/${placement.partition}`) ?? placement.replicas,
  }))
}

function spread(brokers: readonly number[], sets: readonly (readonly number[])[]): number {
  const counts = new Map(brokers.map((id) => [id, 0]))
  for (const set of sets) for (const id of set) counts.set(id, (counts.get(id) ?? 0) + 1)
  return Math.max(...counts.values()) - Math.min(...counts.values())
}

function topicsOf(partitions: readonly PartitionPlacement[]): Map<string, PartitionPlacement[]> {
  const topics = new Map<string, PartitionPlacement[]>()
  for (const placement of partitions)
    topics.set(placement.topic, [...(topics.get(placement.topic) ?? []), placement])
  return topics
}

function balanced(brokers: readonly number[], partitions: readonly PartitionPlacement[]): boolean {
  for (const placements of topicsOf(partitions).values()) {
    if (
      spread(
        brokers,
        placements.map((placement) => placement.replicas),
      ) > 1
    )
      return false
    if (
      spread(
        brokers,
        placements.map((placement) => placement.replicas.slice(0, 1)),
      ) > 1
    )
      return false
  }
  return true
}

test('rebalance keeps replication factors and distinct replicas, and spreads replicas and leaders within one', () => {
  fc.assert(
    fc.property(scenario, ({ brokers, partitions }) => {
      const after = applied(partitions, planRebalance(brokers, partitions))
      after.forEach((placement, index) => {
        assert.is(placement.replicas.length, partitions[index]!.replicas.length)
        assert.is(new Set(placement.replicas).size, placement.replicas.length)
        for (const id of placement.replicas) assert.ok(brokers.includes(id))
      })
      for (const [topic, placements] of topicsOf(after)) {
        const replicas = spread(
          brokers,
          placements.map((placement) => placement.replicas),
        )
        const leaders = spread(
          brokers,
          placements.map((placement) => placement.replicas.slice(0, 1)),
        )
        assert.ok(replicas <= 1, `${topic}: replica counts spread ${replicas}`)
        assert.ok(leaders <= 1, `${topic}: leader counts spread ${leaders}`)
      }
    }),
    { numRuns: 500 },
  )
})

test('rebalance leaves a spread cluster alone, and planning again after it moves nothing', () => {
  fc.assert(
    fc.property(scenario, ({ brokers, partitions }) => {
      const moves = planRebalance(brokers, partitions)
      if (balanced(brokers, partitions)) assert.equal(moves, [])
      assert.equal(planRebalance(brokers, applied(partitions, moves)), [])
    }),
    { numRuns: 500 },
  )
})

test('rebalance moves replicas onto a new broker and off a broker no longer in the cluster', () => {
  const partitions = Array.from({ length: 6 }, (_, partition) => ({
    topic: 'orders',
    partition,
    replicas: [1, 2, 3].map((_, copy) => ((partition + copy) % 3) + 1),
  }))
  const grown = applied(partitions, planRebalance([1, 2, 3, 4], partitions))
  assert.ok(balanced([1, 2, 3, 4], grown))
  assert.ok(
    grown.some((placement) => placement.replicas[0] === 4),
    'broker 4 leads some partitions',
  )
  const shrunk = applied(grown, planRebalance([2, 3, 4], grown))
  assert.ok(shrunk.every((placement) => !placement.replicas.includes(1)))
  assert.ok(balanced([2, 3, 4], shrunk))
})

test('decommission empties the broker, keeps replicas distinct, and fills the least-loaded first', () => {
  fc.assert(
    fc.property(scenario, fc.integer({ min: 1, max: 7 }), ({ brokers, partitions }, pick) => {
      const broker = brokers[(pick - 1) % brokers.length]!
      const roomy = partitions.every((placement) => placement.replicas.length < brokers.length)
      if (!roomy || !partitions.some((placement) => placement.replicas.includes(broker))) return
      const after = applied(partitions, planDecommission(broker, brokers, partitions))
      after.forEach((placement, index) => {
        assert.not.ok(placement.replicas.includes(broker))
        assert.is(placement.replicas.length, partitions[index]!.replicas.length)
        assert.is(new Set(placement.replicas).size, placement.replicas.length)
      })
    }),
    { numRuns: 300 },
  )
  const moves = planDecommission(
    1,
    [1, 2, 3, 4],
    [
      { topic: 'a', partition: 0, replicas: [1, 2] },
      { topic: 'a', partition: 1, replicas: [2, 3] },
    ],
  )
  assert.equal(moves, [{ topic: 'a', partition: 0, replicas: [4, 2] }])
})

test('a plan that cannot keep the replication factor is refused with a typed error', () => {
  assert.throws(
    () => planRebalance([1, 2], [{ topic: 'a', partition: 0, replicas: [1, 2, 3] }]),
    (error: Error) =>
      /INVALID_REPLICA_ASSIGNMENT|add brokers/.test(`${(error as { code?: string }).code} ${error.message}`),
  )
})

test.run()
