// Which partitions to move, and where, to spread a cluster evenly (`weir cluster rebalance`), and
// to empty one broker (`weir cluster remove-broker`). Pure: replica sets in, reassignments out.
//
// Rebalance works topic by topic, so every topic is spread (not only the cluster's total):
// 1. each broker's share of the topic's replicas is floor(R/B) or one more; the extra ones go to
//    the brokers that hold most already (fewest moves), then to the least loaded overall;
// 2. a replica on a broker above its share (or on one no longer in the cluster) moves to a broker
//    below its share that the partition does not use, keeping its position in the replica list;
// 3. preferred leaders (first replicas) are spread by reordering replica lists only: a chain of
//    swaps leader -> replica -> ... from a broker leading the most to one leading two fewer.
// A topic that is spread already is not touched; a partition is listed only if its list changed.
import { WeirError } from '@weir/protocol'

export interface PartitionPlacement {
  readonly topic: string
  readonly partition: number
  /** Broker ids, first the preferred leader. */
  readonly replicas: readonly number[]
}

/** A partition's new replica list (the shape admin.reassignPartitions takes). */
export type PlannedMove = PartitionPlacement

/** A bound on the work of one topic: each step fixes one replica or one leader. */
const stepsPerReplicaMax = 4

export function planRebalance(
  brokers: readonly number[],
  partitions: readonly PartitionPlacement[],
): PlannedMove[] {
  const ids = checkBrokers(brokers)
  const load = new Map(ids.map((id) => [id, 0]))
  const moves: PlannedMove[] = []
  for (const [topic, placements] of byTopic(partitions)) {
    const sets = placements.map((placement) => [...placement.replicas])
    for (const set of sets) {
      if (set.length > ids.length)
        throw new WeirError(
          'INVALID_REPLICA_ASSIGNMENT',
          `${topic} has ${set.length} replicas per partition but the cluster has ${ids.length} brokers; add brokers first`,
        )
    }
    spreadReplicas(ids, sets, load)
    spreadLeaders(ids, sets)
    for (const set of sets) for (const id of set) load.set(id, (load.get(id) ?? 0) + 1)
    placements.forEach((placement, index) => {
      const replicas = sets[index]!
      if (replicas.join() !== placement.replicas.join())
        moves.push({ topic, partition: placement.partition, replicas })
    })
  }
  return moves
}

/**
 * Replaces `broker` in every partition that holds it with the least-loaded other broker the
 * partition does not use (same position, so a preferred leader is replaced by its successor).
 */
export function planDecommission(
  broker: number,
  brokers: readonly number[],
  partitions: readonly PartitionPlacement[],
): PlannedMove[] {
  const others = checkBrokers(brokers).filter((id) => id !== broker)
  const load = new Map(others.map((id) => [id, 0]))
  for (const { replicas } of partitions)
    for (const id of replicas) if (load.has(id)) load.set(id, load.get(id)! + 1)
  const moves: PlannedMove[] = []
  for (const placement of partitions) {
    const position = placement.replicas.indexOf(broker)
    if (position < 0) continue
    const candidates = others.filter((id) => !placement.replicas.includes(id))
    const to = leastLoaded(candidates, load)
    if (to === undefined)
      throw new WeirError(
        'INVALID_REPLICA_ASSIGNMENT',
        `${placement.topic}/${placement.partition} has ${placement.replicas.length} replicas and no other broker is free to take broker ${broker}'s; add a broker first`,
      )
    load.set(to, load.get(to)! + 1)
    const replicas = [...placement.replicas]
    replicas[position] = to
    moves.push({ topic: placement.topic, partition: placement.partition, replicas })
  }
  return moves
}

function checkBrokers(brokers: readonly number[]): number[] {
  const ids = [...new Set(brokers)].sort((left, right) => left - right)
  if (ids.length === 0) throw new WeirError('INVALID_REPLICA_ASSIGNMENT', 'a plan needs at least one broker')
  return ids
}

function byTopic(partitions: readonly PartitionPlacement[]): Map<string, PartitionPlacement[]> {
  const topics = new Map<string, PartitionPlacement[]>()
  for (const placement of partitions)
    topics.set(placement.topic, [...(topics.get(placement.topic) ?? []), placement])
  for (const list of topics.values()) list.sort((left, right) => left.partition - right.partition)
  return topics
}

function leastLoaded(candidates: readonly number[], load: ReadonlyMap<number, number>): number | undefined {
  let best: number | undefined
  for (const id of candidates) if (best === undefined || load.get(id)! < load.get(best)!) best = id
  return best
}

/** Each broker's share of `total`: floor(total/B), plus one for the first `total mod B` of `ranked`. */
function shares(ranked: readonly number[], total: number): Map<number, number> {
  const base = Math.floor(total / ranked.length)
  const extra = total % ranked.length
  return new Map(ranked.map((id, rank) => [id, base + (rank < extra ? 1 : 0)]))
}

/** Brokers ordered for the extra shares: most held in this topic first, then least loaded overall, then id. */
function rankForExtra(
  ids: readonly number[],
  held: ReadonlyMap<number, number>,
  load: ReadonlyMap<number, number>,
) {
  return [...ids].sort(
    (left, right) => held.get(right)! - held.get(left)! || load.get(left)! - load.get(right)! || left - right,
  )
}

function countOf(ids: readonly number[], sets: readonly (readonly number[])[], leadersOnly: boolean) {
  const counts = new Map(ids.map((id) => [id, 0]))
  for (const set of sets) {
    for (const id of leadersOnly ? set.slice(0, 1) : set)
      if (counts.has(id)) counts.set(id, counts.get(id)! + 1)
  }
  return counts
}

function spreadReplicas(ids: readonly number[], sets: number[][], load: ReadonlyMap<number, number>): void {
  const counts = countOf(ids, sets, false)
  const total = sets.reduce((sum, set) => sum + set.length, 0)
  const target = shares(rankForExtra(ids, counts, load), total)
  const over = (id: number) => !target.has(id) || counts.get(id)! > target.get(id)!
  for (let step = 0; step < total * stepsPerReplicaMax; step++) {
    const move = nextReplicaMove(ids, sets, counts, target, over)
    if (move === undefined) return
    const { set, position, to } = move
    const from = set[position]!
    if (counts.has(from)) counts.set(from, counts.get(from)! - 1)
    counts.set(to, counts.get(to)! + 1)
    set[position] = to
  }
}

/** A replica on a broker above its share, and a broker below its share the partition does not use. */
function nextReplicaMove(
  ids: readonly number[],
  sets: readonly number[][],
  counts: ReadonlyMap<number, number>,
  target: ReadonlyMap<number, number>,
  over: (id: number) => boolean,
): { set: number[]; position: number; to: number } | undefined {
  const under = ids.filter((id) => counts.get(id)! < target.get(id)!)
  if (under.length === 0) return undefined
  // Followers first: moving a preferred leader's replica also moves the partition's leadership.
  for (const followersOnly of [true, false]) {
    for (const set of sets) {
      for (let position = followersOnly ? 1 : 0; position < set.length; position++) {
        if (!over(set[position]!)) continue
        const to = under.find((id) => !set.includes(id))
        if (to !== undefined) return { set, position, to }
      }
    }
  }
  return undefined
}

function spreadLeaders(ids: readonly number[], sets: number[][]): void {
  const counts = countOf(ids, sets, true)
  for (let step = 0; step < sets.length * stepsPerReplicaMax; step++) {
    const chain = leaderChain(ids, sets, counts)
    if (chain === undefined) return
    // Each partition on the chain hands its leadership to the next broker of the chain.
    for (const { set, to } of chain) {
      const from = set[0]!
      set[set.indexOf(to)] = from
      set[0] = to
    }
    const start = chain[0]!.from
    const end = chain.at(-1)!.to
    counts.set(start, counts.get(start)! - 1)
    counts.set(end, counts.get(end)! + 1)
  }
}

/**
 * The shortest chain of partitions from a broker leading the most to one leading two fewer or
 * less: partition i is led by the broker partition i-1 hands leadership to, which is its replica.
 */
function leaderChain(
  ids: readonly number[],
  sets: readonly number[][],
  counts: ReadonlyMap<number, number>,
): { set: number[]; from: number; to: number }[] | undefined {
  const most = Math.max(...counts.values())
  const starts = ids.filter((id) => counts.get(id) === most)
  const isLow = (id: number) => counts.get(id)! <= most - 2
  if (!ids.some(isLow)) return undefined
  const via = new Map<number, { set: number[]; from: number }>()
  const seen = new Set(starts)
  const queue = [...starts]
  for (let head = 0; head < queue.length; head++) {
    const from = queue[head]!
    for (const set of sets) {
      if (set[0] !== from) continue
      for (const to of set.slice(1)) {
        if (seen.has(to) || !counts.has(to)) continue
        seen.add(to)
        via.set(to, { set, from })
        if (isLow(to)) return pathTo(to, via)
        queue.push(to)
      }
    }
  }
  return undefined
}

function pathTo(end: number, via: ReadonlyMap<number, { set: number[]; from: number }>) {
  const chain: { set: number[]; from: number; to: number }[] = []
  for (let to = end, hop = via.get(to); hop !== undefined; to = hop.from, hop = via.get(to))
    chain.unshift({ set: hop.set, from: hop.from, to })
  return chain
}
