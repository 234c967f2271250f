// What `remove-broker` and `rebalance` share: where every partition is now (user topics and the
// internal __consumer_offsets), and carrying out a list of moves: one reassignment request, then
// progress lines until every moved partition has its new replica set and no reassignment of it runs.
import { type Admin, isWeirError, type PartitionPlacement, type PlannedMove } from '@weir/client'

const internalTopics = ['__consumer_offsets']
const pollMs = 1000

export interface Placements {
  readonly brokers: number[]
  readonly partitions: PartitionPlacement[]
}

export async function currentPlacements(admin: Admin): Promise<Placements> {
  const { brokers } = await admin.describeCluster()
  const partitions: PartitionPlacement[] = []
  for (const topic of [...(await admin.listTopics()), ...internalTopics]) {
    // A topic deleted since the listing, or __consumer_offsets before any group made it: skipped.
    const described = await admin
      .describeTopic(topic)
      .catch((error: unknown) => (isWeirError(error, 'UNKNOWN_TOPIC') ? undefined : Promise.reject(error)))
    for (const { partition, replicas } of described?.partitions ?? [])
      partitions.push({ topic, partition, replicas })
  }
  return { brokers: brokers.map((broker) => broker.id), partitions }
}

export function describeMoves(moves: readonly PlannedMove[], before: readonly PartitionPlacement[]): string {
  const was = new Map(
    before.map((placement) => [`${placement.topic}/${placement.partition}`, placement.replicas]),
  )
  return moves
    .map((move) => {
      const name = `${move.topic}/${move.partition}`
      return `  ${name}: ${was.get(name)?.join(',') ?? '?'} -> ${move.replicas.join(',')}\n`
    })
    .join('')
}

export interface MoveOptions {
  readonly throttleBytesPerSec?: number | undefined
  readonly write: (text: string) => void
}

/** Starts the moves and resolves once all are complete, printing progress when it changes. */
export async function carryOut(
  admin: Admin,
  moves: readonly PlannedMove[],
  options: MoveOptions,
): Promise<void> {
  if (moves.length === 0) return
  const throttle = options.throttleBytesPerSec
  await admin.reassignPartitions(moves, throttle === undefined ? {} : { throttleBytesPerSec: throttle })
  const topics = [...new Set(moves.map((move) => move.topic))]
  let last = ''
  for (;;) {
    const left = await remaining(admin, moves, topics)
    const line = `${moves.length - left.length} of ${moves.length} partitions moved${left.length === 0 ? '' : `; moving ${left.join(', ')}`}\n`
    if (line !== last) options.write(line)
    last = line
    if (left.length === 0) return
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

/** The moves not complete yet, with their copy progress: `orders/0 (4: 42%)`. */
async function remaining(
  admin: Admin,
  moves: readonly PlannedMove[],
  topics: readonly string[],
): Promise<string[]> {
  const running = new Map(
    (await admin.listReassignments(topics)).map((item) => [`${item.topic}/${item.partition}`, item]),
  )
  const now = new Map<string, readonly number[]>()
  for (const topic of topics) {
    for (const { partition, replicas } of (await admin.describeTopic(topic)).partitions)
      now.set(`${topic}/${partition}`, replicas)
  }
  const left: string[] = []
  for (const move of moves) {
    const name = `${move.topic}/${move.partition}`
    const item = running.get(name)
    // Done: no reassignment runs and the replica set is the target (the same ids, in any order).
    const replicas = now.get(name) ?? []
    const settled = [...replicas].sort().join() === [...move.replicas].sort().join()
    if (item === undefined && settled) continue
    const progress = item?.progress.map((entry) => `${entry.broker}: ${entry.caughtUpPercent}%`).join(', ')
    left.push(progress ? `${name} (${progress})` : name)
  }
  return left
}
