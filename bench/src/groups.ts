// Weir's consumer groups (issue 5): group consume throughput with 1, 2 and 4 members over 8
// partitions, and rebalance time for a clean leave and for a join. Every member is its own Client
// (its own connections) in the benchmark process; the broker is its own process.
//
// Throughput: the topic is filled first (not timed), then the members start together and read it
// with run({ eachBatch }); the clock runs from the first message received by any member to the
// last. The bench broker delays a rebalance of an empty group by `groupInitialRebalanceDelayMs` (as
// Kafka's group.initial.rebalance.delay.ms, 3 s there) so that members starting together join the
// first generation together instead of one member reading alone while the others are still joining.
//
// Rebalance: 4 members read an 8-partition topic while a producer trickles one message into every
// partition every `trickleIntervalMs`. A leave: t0 is when close() is called on a member; a join:
// t0 is when the new member's consumer is created (its Client exists already, not yet connected).
// The rebalance time is, once the assignment has settled, the latest over all 8 partitions of the
// first message after t0 received by the partition's owner after the rebalance: "every partition is
// consumed again". Partitions that did not move count too (cooperative-sticky keeps them flowing).
import { Client, codecs, defineTopic, type GroupConsumer } from '@weir/client'
import { produceMessages } from './e2e/produce.js'
import type { Progress } from './measurement.js'

/** Members send heartbeats this often (client default 3000): members learn of a rebalance on one. */
export const groupHeartbeatIntervalMs = 100
/** The bench broker's delay before the first rebalance of an empty group (the broker default too). */
export const groupInitialRebalanceDelayMs = 300

export interface GroupThroughputSpec {
  readonly messages: number
  readonly valueBytes: number
  readonly members: number
  readonly partitions: number
}

export interface GroupThroughputMeasurement {
  /** Messages received over all members: duplicates after a hand-over would count (none expected). */
  readonly messages: number
  readonly bytes: number
  readonly seconds: number
  readonly messagesPerSecond: number
  readonly megabytesPerSecond: number
  /** Messages received per member, in member order. */
  readonly perMember: readonly number[]
}

export interface RebalanceSpec {
  readonly kind: 'leave' | 'join'
  readonly rebalances: number
  readonly members: number
  readonly partitions: number
  readonly trickleIntervalMs: number
  /** The members' heartbeat interval; undefined: the client's default (3000 ms). */
  readonly heartbeatIntervalMs?: number
  /** Default 'classic'. */
  readonly groupProtocol?: 'classic' | 'consumer'
}

export interface RebalanceStatistics {
  readonly kind: 'leave' | 'join'
  readonly rebalances: number
  readonly p50Ms: number
  readonly maxMs: number
  readonly minMs: number
  /** Every rebalance's time, in order. */
  readonly timesMs: readonly number[]
}

let groupCounter = 0
const groupName = (kind: string) => `bench-group-${kind}-${process.pid}-${++groupCounter}`

function memberOptions(
  groupId: string,
  topic: string,
  autoOffsetReset: 'earliest' | 'latest',
  heartbeatIntervalMs: number | undefined = groupHeartbeatIntervalMs,
) {
  return {
    groupId,
    topics: [defineTopic<Buffer>({ name: topic, codec: codecs.raw })],
    autoOffsetReset,
    ...(heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs }),
  } as const
}

function newClient(brokers: readonly string[], name: string): Client {
  return new Client({ brokers: [...brokers], clientId: name })
}

export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/**
 * Fills a new topic of `spec.partitions` partitions with keyed messages (not timed), then
 * `spec.members` members, each on its own Client, read all of it in one group, timed.
 */
export async function measureGroupThroughput(
  brokers: readonly string[],
  topic: string,
  spec: GroupThroughputSpec,
  progress: Progress,
  fsync: 'always' | number = 'always',
): Promise<GroupThroughputMeasurement> {
  const admin = newClient(brokers, 'bench-group-fill')
  try {
    await admin.admin().createTopic({
      topic,
      partitions: spec.partitions,
      replicationFactor: 1,
      config: { fsync },
    })
    await produceMessages(admin, topic, { ...spec, acks: 'all', windowMessages: 20_000 }, () => {})
  } finally {
    await admin.close()
  }
  const groupId = groupName('throughput')
  const clients = Array.from({ length: spec.members }, (_, index) =>
    newClient(brokers, `bench-group-member-${index}`),
  )
  const members = clients.map((client) => client.consumer(memberOptions(groupId, topic, 'earliest')))
  const perMember = members.map(() => 0)
  const step = Math.max(1, Math.floor(spec.messages / 20))
  let received = 0
  let nextReport = step
  let first = 0
  let last = 0
  let finished!: () => void
  const allReceived = new Promise<void>((resolve) => (finished = resolve))
  const runs = members.map((member, index) =>
    member.run({
      eachBatch: ({ batch }) => {
        const now = performance.now()
        if (first === 0) first = now
        perMember[index]! += batch.messages.length
        received += batch.messages.length
        if (received >= nextReport) {
          nextReport = received + step
          progress(Math.min(received, spec.messages), spec.messages)
        }
        if (received >= spec.messages && last === 0) {
          last = now
          finished()
        }
      },
    }),
  )
  let failure: unknown
  for (const run of runs) run.catch((error: unknown) => (failure ??= error))
  try {
    await Promise.race([allReceived, ...runs.map((run) => run.then(() => undefined))])
    if (failure !== undefined) throw failure
    if (last === 0) throw new Error(`the group stopped at ${received} of ${spec.messages}`)
  } finally {
    await Promise.allSettled(members.map((member) => member.close()))
    await Promise.allSettled(runs)
    await Promise.allSettled(clients.map((client) => client.close()))
  }
  const seconds = (last - first) / 1000
  const bytes = received * spec.valueBytes
  return {
    messages: received,
    bytes,
    seconds,
    messagesPerSecond: received / seconds,
    megabytesPerSecond: bytes / 1_000_000 / seconds,
    perMember,
  }
}

interface Member {
  readonly name: string
  readonly client: Client
  readonly consumer: GroupConsumer<Buffer>
  readonly run: Promise<void>
}

/**
 * `spec.rebalances` rebalances of one kind in a group of `spec.members` over a topic with a steady
 * trickle in every partition. A leave closes the oldest member and a new one joins afterwards (not
 * measured); a join adds a member and the oldest leaves afterwards (not measured): the group is back
 * at `spec.members` before each measured event.
 */
export async function measureRebalances(
  brokers: readonly string[],
  topic: string,
  spec: RebalanceSpec,
  progress: Progress,
): Promise<RebalanceStatistics> {
  const setup = newClient(brokers, 'bench-rebalance-producer')
  await setup.admin().createTopic({ topic, partitions: spec.partitions, replicationFactor: 1 })
  const topicRef = defineTopic<Buffer>({ name: topic, codec: codecs.raw })
  const producer = setup.producer({ acks: 'all', lingerMs: 0 })
  const value = Buffer.alloc(100, 0x61)
  let producerFailure: unknown
  const trickle = setInterval(() => {
    for (let partition = 0; partition < spec.partitions; partition++)
      producer
        .send({ topic: topicRef, value, partition })
        .catch((error: unknown) => (producerFailure ??= error))
  }, spec.trickleIntervalMs)
  const groupId = groupName(spec.kind)
  /** Per partition: member name and time of every delivery since the current event's t0. */
  let deliveries: { member: string; atMs: number }[][] = []
  const resetDeliveries = () => {
    deliveries = Array.from({ length: spec.partitions }, () => [])
  }
  resetDeliveries()
  let failure: unknown
  let memberCounter = 0
  const members: Member[] = []
  const newMember = (client: Client = newClient(brokers, `bench-rebalance-${memberCounter}`)) => {
    const name = `member-${memberCounter++}`
    const heartbeatIntervalMs =
      'heartbeatIntervalMs' in spec ? spec.heartbeatIntervalMs : groupHeartbeatIntervalMs
    const consumer = client.consumer({
      ...memberOptions(groupId, topic, 'latest', heartbeatIntervalMs),
      // Only when not the default, so this runs against clients that predate the option too.
      ...(spec.groupProtocol === 'consumer' ? { groupProtocol: 'consumer' as const } : {}),
    })
    const run = consumer.run({
      eachBatch: ({ batch }) => {
        const atMs = performance.now()
        deliveries[batch.partition]?.push({ member: name, atMs })
      },
    })
    run.catch((error: unknown) => (failure ??= error))
    const member = { name, client, consumer, run }
    members.push(member)
    return member
  }
  const leave = async (member: Member) => {
    members.splice(members.indexOf(member), 1)
    const closing = member.consumer.close()
    await closing
    await member.run.catch(() => undefined)
    await member.client.close()
  }
  const owners = (): Map<number, string> | undefined => {
    const map = new Map<number, string>()
    for (const member of members)
      for (const entry of member.consumer.assignment()) {
        if (map.has(entry.partition)) return undefined
        map.set(entry.partition, member.name)
      }
    return map.size === spec.partitions ? map : undefined
  }
  const balanced = () => {
    const map = owners()
    if (map === undefined) return false
    const counts = members.map((member) => member.consumer.assignment().length)
    return Math.max(...counts) - Math.min(...counts) <= 1
  }
  /** ms from t0 until every partition delivered to its owner after t0, once settled; else undefined. */
  const consumedAgainMs = (t0: number): number | undefined => {
    if (!balanced()) return undefined
    const map = owners()!
    let latest = 0
    for (let partition = 0; partition < spec.partitions; partition++) {
      const owner = map.get(partition)
      const delivery = deliveries[partition]!.find((entry) => entry.member === owner && entry.atMs >= t0)
      if (delivery === undefined) return undefined
      latest = Math.max(latest, delivery.atMs)
    }
    return latest - t0
  }
  const settle = async (t0: number, what: string) => {
    let result: number | undefined
    await until(
      () => {
        if (failure !== undefined || producerFailure !== undefined) return true
        result = consumedAgainMs(t0)
        return result !== undefined
      },
      30_000,
      what,
    )
    if (failure !== undefined) throw failure
    if (producerFailure !== undefined) throw producerFailure
    return result!
  }
  const timesMs: number[] = []
  try {
    for (let index = 0; index < spec.members; index++) newMember()
    resetDeliveries()
    await settle(performance.now(), `the group of ${spec.members} being stable`)
    for (let rebalance = 0; rebalance < spec.rebalances; rebalance++) {
      // A quiet moment between events: the group is stable and every partition flows.
      await new Promise((resolve) => setTimeout(resolve, 100))
      resetDeliveries()
      const client = newClient(brokers, `bench-rebalance-${memberCounter}`)
      if (spec.kind === 'leave') {
        const t0 = performance.now()
        const closing = leave(members[0]!)
        timesMs.push(await settle(t0, `rebalance ${rebalance + 1} after a leave`))
        await closing
        resetDeliveries()
        newMember(client)
        await settle(performance.now(), 'the group back at full size')
      } else {
        const t0 = performance.now()
        newMember(client)
        timesMs.push(await settle(t0, `rebalance ${rebalance + 1} after a join`))
        resetDeliveries()
        const t1 = performance.now()
        await leave(members[0]!)
        await settle(t1, 'the group back at its size')
      }
      progress(rebalance + 1, spec.rebalances)
    }
  } finally {
    clearInterval(trickle)
    await Promise.allSettled([...members].map((member) => leave(member)))
    await producer.close().catch(() => undefined)
    await setup
      .admin()
      .deleteTopic(topic)
      .catch(() => undefined)
    await setup.close()
  }
  const sorted = [...timesMs].sort((left, right) => left - right)
  return {
    kind: spec.kind,
    rebalances: timesMs.length,
    p50Ms: sorted[Math.floor((sorted.length - 1) / 2)]!,
    maxMs: sorted[sorted.length - 1]!,
    minMs: sorted[0]!,
    timesMs,
  }
}
