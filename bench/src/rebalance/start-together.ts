// How long a consumer group takes to become stable when its members start together: every member's
// consumer is created in one go (their Clients exist already, not yet connected), and the clock
// runs from the first creation until every partition is owned by exactly one member, the
// ownership is balanced (counts differ by at most one) and every member's ready() resolved. The
// group's final generation says how many rounds it took (1 = one join round). With `lateJoiners`,
// the others start (and settle, not timed) first, and the clock runs from the late joiners'
// creation: "stable after the last one joins".
import { Client, codecs, defineTopic, type GroupConsumer } from '@weir/client'
import { until } from '../groups.js'
import type { Progress } from '../measurement.js'

export interface StartTogetherSpec {
  readonly members: number
  readonly partitions: number
  readonly rounds: number
  /** Members created after the others are stable; the clock starts with them. Default 0. */
  readonly lateJoiners?: number
  /** Default 'classic'. */
  readonly groupProtocol?: 'classic' | 'consumer'
  /** Members are created this far apart (as processes starting one after another would). Default 0. */
  readonly staggerMs?: number
}

export interface StartTogetherRound {
  readonly stableMs: number
  /** Classic: the group's generation once stable, the number of join rounds it took. Consumer:
   *  the highest member epoch (assignment changes one member went through). */
  readonly generation: number
}

export interface StartTogetherStatistics {
  readonly rounds: readonly StartTogetherRound[]
  readonly p50Ms: number
  readonly maxMs: number
  readonly generationMax: number
}

let groupCounter = 0

/** Creates a topic of `spec.partitions`, then `spec.rounds` times starts a fresh group of `spec.members`. */
export async function measureStartTogether(
  brokers: readonly string[],
  topic: string,
  spec: StartTogetherSpec,
  progress: Progress,
): Promise<StartTogetherStatistics> {
  const setup = new Client({ brokers: [...brokers], clientId: 'bench-start-together-setup' })
  const rounds: StartTogetherRound[] = []
  try {
    // In steps of 100: one CreateTopics of 900 partitions can outlast the request timeout on a
    // loaded 2-core machine (every partition is a Raft replica with its own files).
    const step = 100
    await setup
      .admin()
      .createTopic({ topic, partitions: Math.min(step, spec.partitions), replicationFactor: 1 })
    for (let count = step * 2; count < spec.partitions + step; count += step)
      await setup.admin().createPartitions({ topic, count: Math.min(count, spec.partitions) })
    for (let round = 0; round < spec.rounds; round++) {
      rounds.push(await oneRound(brokers, topic, spec))
      progress(round + 1, spec.rounds)
    }
  } finally {
    await setup
      .admin()
      .deleteTopic(topic)
      .catch(() => undefined)
    await setup.close()
  }
  const sorted = rounds.map((round) => round.stableMs).sort((left, right) => left - right)
  return {
    rounds,
    p50Ms: sorted[Math.floor((sorted.length - 1) / 2)]!,
    maxMs: sorted[sorted.length - 1]!,
    generationMax: Math.max(...rounds.map((round) => round.generation)),
  }
}

async function oneRound(
  brokers: readonly string[],
  topic: string,
  spec: StartTogetherSpec,
): Promise<StartTogetherRound> {
  const groupId = `bench-start-together-${process.pid}-${++groupCounter}`
  const clients = Array.from(
    { length: spec.members },
    (_, index) => new Client({ brokers: [...brokers], clientId: `bench-together-${index}` }),
  )
  const topics = [defineTopic<Buffer>({ name: topic, codec: codecs.raw })]
  const members: GroupConsumer<Buffer>[] = []
  let failure: unknown
  const ready = new Set<number>()
  const start = (client: Client) => {
    const member = client.consumer({
      groupId,
      topics,
      autoOffsetReset: 'latest',
      // Only when not the default, so this runs against clients that predate the option too.
      ...(spec.groupProtocol === 'consumer' ? { groupProtocol: 'consumer' as const } : {}),
    })
    const index = members.push(member) - 1
    member.ready().then(
      () => ready.add(index),
      (error: unknown) => (failure ??= error),
    )
  }
  const late = spec.lateJoiners ?? 0
  try {
    if (late > 0) {
      for (const client of clients.slice(0, clients.length - late)) start(client)
      await until(
        () => failure !== undefined || (ready.size === members.length && settled(members, spec.partitions)),
        60_000,
        'the first members being stable',
      )
    }
    const t0 = performance.now()
    for (const [index, client] of (late > 0 ? clients.slice(clients.length - late) : clients).entries()) {
      if (index > 0 && (spec.staggerMs ?? 0) > 0)
        await new Promise((resolve) => setTimeout(resolve, spec.staggerMs))
      start(client)
    }
    let stableMs = 0
    await until(
      () => {
        if (failure !== undefined) return true
        if (ready.size < members.length || !settled(members, spec.partitions)) return false
        stableMs = performance.now() - t0
        return true
      },
      60_000,
      `a group of ${spec.members} over ${spec.partitions} partitions being stable`,
    )
    if (failure !== undefined) throw failure
    return { stableMs, generation: Math.max(...members.map((member) => member.context()?.generationId ?? 0)) }
  } finally {
    await Promise.allSettled(members.map((member) => member.close()))
    await Promise.allSettled(clients.map((client) => client.close()))
  }
}

/** Every partition owned by exactly one member, and the counts within one of each other. */
function settled(members: readonly GroupConsumer<Buffer>[], partitions: number): boolean {
  const owned = new Set<number>()
  let fewest = Number.POSITIVE_INFINITY
  let most = 0
  for (const member of members) {
    const assignment = member.assignment()
    fewest = Math.min(fewest, assignment.length)
    most = Math.max(most, assignment.length)
    for (const { partition } of assignment) {
      if (owned.has(partition)) return false
      owned.add(partition)
    }
  }
  return owned.size === partitions && most - fewest <= 1
}
