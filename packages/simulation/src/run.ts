// One seed, start to finish: a world of 3 or 5 brokers, the topic, the workload and the faults the
// seed draws; then heal, let the cluster settle, read every replica back and check the invariants.
// Everything a run does follows from (seed, options), so `pnpm sim --seed S --brokers N` replays it.
import { lastOffsetAt, readUint64, splitBatches } from '@weir/protocol'
import { describeFault, type FaultEvent, FaultInjector, type FaultKind, planFaults } from './faults.js'
import {
  checkInvariants,
  InvariantViolation,
  type PartitionView,
  type ReplicaView,
  type StoredBatch,
} from './invariants.js'
import { Prng } from './prng.js'
import { topicName, Workload, type WorkloadOptions } from './workload.js'
import { World } from './world.js'

export interface RunOptions {
  readonly brokerCount?: 3 | 5
  /** Records the producer sends. Default 60. */
  readonly recordCount?: number
  /** Virtual ms the sends and faults are spread over. Default 3000. */
  readonly windowMs?: number
  /** Fault events at most per run. Default 4. */
  readonly faultsMax?: number
  readonly faultKinds?: readonly FaultKind[]
  /** The injected bug: disks acknowledge fsync without making data durable. */
  readonly lyingFsync?: boolean
  /** Hash every network write and step into `trace`. */
  readonly trace?: boolean
  /** Called with a line for each phase and fault. */
  readonly log?: (line: string) => void
}

export interface RunReport {
  readonly seed: number
  readonly brokerCount: number
  readonly faults: readonly FaultEvent[]
  readonly acked: number
  readonly failedSends: number
  readonly commits: number
  readonly virtualMs: number
  readonly steps: number
  readonly networkWrites: number
  /** With `trace`: the hash of every network write and step. */
  readonly trace: string
}

export type RunResult =
  | ({ readonly ok: true } & RunReport)
  | { readonly ok: false; readonly error: Error; readonly seed: number }

/** Virtual-time limits of each phase: past one, the seed fails saying which. */
const limits = { startMs: 10_000, createTopicMs: 20_000, settleMs: 60_000, closeMs: 30_000 } as const

export async function runSeed(seed: number, options: RunOptions = {}): Promise<RunResult> {
  try {
    return { ok: true, ...(await runWorld(seed, options)) }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error : new Error(String(error)), seed }
  }
}

/** Odd seeds run 3 brokers, even seeds 5, unless `forced` says. */
export function brokersForSeed(seed: number, forced?: 3 | 5): 3 | 5 {
  return forced ?? (seed % 2 === 0 ? 5 : 3)
}

/** The command that replays a seed exactly. */
export function replayCommand(seed: number, options: Pick<RunOptions, 'brokerCount'> = {}): string {
  return `pnpm sim --seed ${seed} --brokers ${options.brokerCount ?? 3}`
}

async function runWorld(seed: number, options: RunOptions): Promise<RunReport> {
  const brokerCount = options.brokerCount ?? 3
  const windowMs = options.windowMs ?? 3000
  const log = options.log ?? (() => {})
  const prng = new Prng(seed)
  const world = new World({
    brokerCount,
    prng: prng.fork('world'),
    trace: options.trace,
    lyingFsync: options.lyingFsync,
  })
  const { time } = world
  const faults = planFaults(prng.fork('faults'), {
    brokerCount,
    windowMs,
    eventsMax: options.faultsMax ?? 4,
    kinds: options.faultKinds,
  })
  const workloadOptions: WorkloadOptions = {
    partitions: 3,
    replicationFactor: 3,
    recordCount: options.recordCount ?? 60,
    sendWindowMs: windowMs,
    secondMemberAtMs: Math.floor(windowMs / 3),
    commitEveryMessages: 4,
  }
  const workload = new Workload(world, prng.fork('workload'), workloadOptions)
  const injector = new FaultInjector(world, prng.fork('fault links'), faults)

  await world.startAll(limits.startMs)
  assertStarted(world, 'at start')
  log(`${brokerCount} brokers serving at ${time.elapsedMs} ms`)
  if (!(await workload.createTopic(limits.createTopicMs))) {
    throw new Error(`topic ${topicName} was not created within ${limits.createTopicMs} virtual ms`)
  }
  log(`topic created at ${time.elapsedMs} ms; faults: ${faults.length}`)
  for (const fault of faults) log(`fault ${describeFault(fault)}`)
  workload.start()
  injector.start()
  await time.runFor(windowMs + 2000)
  injector.healAll()
  log(`healed at ${time.elapsedMs} ms: ${workload.acked.length} acked, ${workload.failedSends.length} failed`)

  const settled = await time.runUntil(
    () =>
      workload.sendsDone &&
      world.startFailures.length === 0 &&
      settledState(world, workloadOptions.partitions, workloadOptions.replicationFactor) === undefined,
    limits.settleMs,
  )
  assertStarted(world, 'after healing')
  if (!settled) {
    checkPartitionsHosted(world, workload)
    const why = workload.sendsDone
      ? settledState(world, workloadOptions.partitions, workloadOptions.replicationFactor)
      : `${workloadOptions.recordCount - workload.sendsSettled} sends still pending`
    throw new Error(`the cluster did not settle within ${limits.settleMs} virtual ms of healing: ${why}`)
  }
  log(`settled at ${time.elapsedMs} ms`)
  await drive(world, workload.close(), limits.closeMs, () => 'closing the clients')
  const finalCommitted = await drive(
    world,
    workload.committedOffsets(),
    limits.closeMs,
    () =>
      `reading the group offsets (last error ${workload.lastRetriedError || 'none'}):\n${describeReplicas(
        world,
        [
          [topicName, workloadOptions.partitions],
          ['__consumer_offsets', 2],
        ],
      )}`,
  )
  if (workload.errors.length > 0) throw new Error(`a group member failed: ${workload.errors.join('; ')}`)

  const partitions = await readPartitions(world, workloadOptions.partitions)
  checkInvariants({ partitions, acked: workload.acked, commits: workload.commits, finalCommitted })
  log(`invariants hold at ${time.elapsedMs} ms (${time.stepCount} steps, ${world.writeCount} network writes)`)
  return {
    seed,
    brokerCount,
    faults,
    acked: workload.acked.length,
    failedSends: workload.failedSends.length,
    commits: workload.commits.length,
    virtualMs: time.elapsedMs,
    steps: time.stepCount,
    networkWrites: world.writeCount,
    trace: world.traceDigest(),
  }
}

/** Each hosted replica of `topics` on every serving broker: leadership, term, high watermark, log end. */
export function describeReplicas(world: World, topics: ReadonlyArray<readonly [string, number]>): string {
  const lines: string[] = []
  for (const simulated of world.brokers) {
    const broker = simulated.broker
    if (broker === undefined) {
      lines.push(`broker ${simulated.id}: not serving`)
      continue
    }
    for (const [topic, partitionCount] of topics) {
      for (let partition = 0; partition < partitionCount; partition++) {
        const replica = broker.cluster.replicaOf(topic, partition)
        if (replica === undefined) continue
        lines.push(
          `broker ${simulated.id} ${topic}/${partition}: ${replica.isLeader ? 'leader' : `follower of ${replica.leaderId}`}, term ${replica.term}, high watermark ${replica.highWatermark}, log end ${replica.log.logEndOffset}`,
        )
      }
    }
  }
  return lines.join('\n')
}

/** An acknowledged record whose partition no serving broker hosts any more is lost (the topic is gone). */
function checkPartitionsHosted(world: World, workload: Workload): void {
  for (const partition of new Set(workload.acked.map((record) => record.partition))) {
    const hosted = world.brokers.some(
      (simulated) => simulated.broker?.cluster.replicaOf(topicName, partition) !== undefined,
    )
    if (hosted) continue
    const lost = workload.acked.filter((record) => record.partition === partition).length
    throw new InvariantViolation(
      'acknowledged write kept',
      `partition ${partition}: no broker hosts it after healing (its topic is gone), with ${lost} acknowledged records`,
    )
  }
}

function assertStarted(world: World, when: string): void {
  if (world.startFailures.length > 0) throw new Error(`${when}: ${world.startFailures.join('; ')}`)
}

/** Runs the world until `work` settles; its result, or an error naming `what` past `limitMs`. */
async function drive<T>(world: World, work: Promise<T>, limitMs: number, what: () => string): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined
  work.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  )
  await world.time.runUntil(() => outcome !== undefined, limitMs)
  if (outcome === undefined) throw new Error(`${what()} did not finish within ${limitMs} virtual ms`)
  if ('error' in outcome) throw outcome.error
  return outcome.value
}

/**
 * Undefined once every broker serves and each partition has one leader that every replica has
 * caught up with (same log end, high watermark at the log end); else what is still missing.
 */
function settledState(world: World, partitionCount: number, replicationFactor: number): string | undefined {
  for (const simulated of world.brokers) {
    if (simulated.broker === undefined) return `broker ${simulated.id} is not serving`
  }
  for (let partition = 0; partition < partitionCount; partition++) {
    const replicas = world.brokers.map((simulated) => ({
      id: simulated.id,
      replica: simulated.broker!.cluster.replicaOf(topicName, partition),
    }))
    const hosts = replicas.filter(({ replica }) => replica !== undefined).length
    if (hosts !== replicationFactor) {
      return `partition ${partition} is hosted by ${hosts} brokers, not ${replicationFactor}:\n${describeReplicas(world, [[topicName, partitionCount]])}`
    }
    const leaders = replicas.filter(({ replica }) => replica?.isLeader)
    if (leaders.length !== 1) return `partition ${partition} has ${leaders.length} leaders`
    const leader = leaders[0]!.replica!
    const end = leader.log.logEndOffset
    if (leader.highWatermark !== end)
      return `partition ${partition}: leader high watermark ${leader.highWatermark} below its log end ${end}`
    for (const { id, replica } of replicas) {
      if (replica === undefined) continue
      if (replica.log.logEndOffset !== end || replica.highWatermark !== end) {
        return `partition ${partition}: broker ${id} at log end ${replica.log.logEndOffset}, high watermark ${replica.highWatermark}; the leader at ${end}`
      }
    }
  }
  return undefined
}

async function readPartitions(world: World, partitionCount: number): Promise<PartitionView[]> {
  const views: PartitionView[] = []
  for (let partition = 0; partition < partitionCount; partition++) {
    const replicas: ReplicaView[] = []
    let leaderId = 0
    for (const simulated of world.brokers) {
      const replica = simulated.broker!.cluster.replicaOf(topicName, partition)
      if (replica === undefined) continue
      if (replica.isLeader) leaderId = simulated.id
      replicas.push({
        brokerId: simulated.id,
        highWatermark: replica.highWatermark,
        logStartOffset: replica.log.logStartOffset,
        logEndOffset: replica.log.logEndOffset,
        batches: await readBatches(replica.log),
      })
    }
    views.push({ partition, leaderId, replicas })
  }
  return views
}

type ReadableLog = NonNullable<
  ReturnType<NonNullable<World['brokers'][number]['broker']>['cluster']['replicaOf']>
>['log']

/** Every batch of the log from its start to its end, as stored. */
async function readBatches(log: ReadableLog): Promise<StoredBatch[]> {
  const batches: StoredBatch[] = []
  let offset = log.logStartOffset
  // Bounded: each read moves past at least one batch or ends the loop.
  while (offset < log.logEndOffset) {
    const result = await log.read(offset, 1024 * 1024)
    if (result.bytes.length === 0) break
    for (const bytes of splitBatches(result.bytes)) {
      batches.push({ baseOffset: readUint64(bytes, 0), lastOffset: lastOffsetAt(bytes), bytes })
    }
    offset = result.nextOffset
  }
  return batches
}
