// Runs the comparison: every system configuration in turn on its own fresh server (the same
// workloads for each, one at a time, so no two compete for the two cores), then Weir's scaling
// sweep, then the machine's physical limits. A missing server binary skips that system with the
// reason; a failing workload is recorded and the rest goes on.
import { type DiskWriteMeasurement, type DiskWriteSpec, measureDiskWrite } from '../disk-limit.js'
import { describeStages } from '../e2e/latency-stages.js'
import { formatCount, formatRate } from '../format.js'
import {
  type GroupThroughputMeasurement,
  type GroupThroughputSpec,
  measureGroupThroughput,
  measureRebalances,
  type RebalanceSpec,
  type RebalanceStatistics,
} from '../groups.js'
import { type LoopbackMeasurement, type LoopbackSpec, measureLoopback } from '../loopback-limit.js'
import { medianRun, type Progress } from '../measurement.js'
import type { ServerAvailability } from '../servers/server.js'
import { startWeir } from '../servers/weir.js'
import type { CompareSizes } from './compare-sizes.js'
import { measureChannelLatency } from './latency-driver.js'
import { natsConfiguration } from './nats-jetstream.js'
import { redisConfiguration } from './redis-streams.js'
import type {
  Durability,
  GroupSpec,
  LatencyMeasurement,
  LatencySpec,
  SystemConfiguration,
  SystemSession,
  ThroughputMeasurement,
  ThroughputSpec,
  WorkloadMethods,
} from './system.js'
import { weirConfiguration, weirServerConfig } from './weir.js'

/** Throughput workloads by id; the report and the charts name them this way. */
export const throughputWorkloads = [
  { id: 'produce-100B', label: 'produce 100 B' },
  { id: 'produce-1KiB', label: 'produce 1 KiB' },
  { id: 'consume-100B', label: 'consume 100 B' },
  { id: 'consume-1KiB', label: 'consume 1 KiB' },
  { id: 'group-100B', label: 'group of 4, 100 B' },
] as const
export type ThroughputWorkloadId = (typeof throughputWorkloads)[number]['id']

export interface Repeated<Spec, Measurement> {
  readonly spec: Spec
  /** The median run, whole. */
  readonly measurement: Measurement
  readonly runs: readonly Measurement[]
}

export interface SystemResult {
  readonly id: string
  readonly system: string
  readonly label: string
  readonly isWeir: boolean
  readonly durability: Durability
  readonly method: WorkloadMethods
  readonly serverVersion?: string
  /** Why the system did not run at all (a missing binary names its Debian package). */
  readonly skipped?: string
  readonly throughput: Partial<Record<ThroughputWorkloadId, Repeated<ThroughputSpec, ThroughputMeasurement>>>
  readonly latency?: Repeated<LatencySpec, LatencyMeasurement>
  /** Workloads that failed, with the error: reported, never hidden. */
  readonly errors: { readonly workload: string; readonly message: string }[]
}

export interface ScalingResult {
  readonly partitions: number
  readonly valueBytes: number
  readonly result: Repeated<ThroughputSpec, ThroughputMeasurement>
}

/** Weir's consumer groups (groups.ts, issue 5), on a broker of their own, fsync always. */
export interface GroupResults {
  readonly throughput: Repeated<GroupThroughputSpec, GroupThroughputMeasurement>[]
  readonly rebalance: { readonly spec: RebalanceSpec; readonly statistics: RebalanceStatistics }[]
  readonly errors: { readonly workload: string; readonly message: string }[]
}

export interface CompareResults {
  readonly systems: readonly SystemResult[]
  readonly scaling: readonly ScalingResult[]
  readonly scalingSkipped?: string
  readonly groups?: GroupResults
  readonly groupsSkipped?: string
  readonly limits: {
    readonly diskSyncOnce: Repeated<DiskWriteSpec, DiskWriteMeasurement>
    readonly diskSyncEachBlock: Repeated<DiskWriteSpec, DiskWriteMeasurement>
    readonly loopback: Repeated<LoopbackSpec, LoopbackMeasurement>
  }
}

export interface CompareReporter {
  /** A new section: which system (or part) and what is about to happen. */
  section(title: string): void
  workloadStarted(label: string): void
  readonly progress: Progress
  workloadFinished(summary: string): void
  /** A skipped system or a failed workload. */
  notice(message: string): void
}

export function compareConfigurations(): SystemConfiguration[] {
  return [
    weirConfiguration('always'),
    weirConfiguration(1000),
    redisConfiguration('always'),
    redisConfiguration('everysec'),
    natsConfiguration(),
  ]
}

let streamCounter = 0
function streamName(workload: string): string {
  return `bench-${workload}-${process.pid}-${++streamCounter}`
}

const rate = (measurement: ThroughputMeasurement) =>
  `${formatCount(measurement.messagesPerSecond)} msg/s, ${formatRate(measurement.megabytesPerSecond)} MB/s`

export async function runCompareSuite(
  sizes: CompareSizes,
  reporter: CompareReporter,
  configurations: readonly SystemConfiguration[] = compareConfigurations(),
): Promise<CompareResults> {
  const found = new Map<string, Promise<ServerAvailability>>()
  const systems: SystemResult[] = []
  for (const [index, configuration] of configurations.entries()) {
    reporter.section(`[${index + 1}/${configurations.length}] ${configuration.label}`)
    if (!found.has(configuration.system)) found.set(configuration.system, configuration.find())
    systems.push(await runSystem(configuration, (await found.get(configuration.system))!, sizes, reporter))
  }
  reporter.section('Weir scaling: produce throughput by partitions and value size (fsync always)')
  const weir = configurations.find((configuration) => configuration.isWeir)
  const weirFound = weir ? await found.get(weir.system) : undefined
  const scaling = weirFound?.available ? await runScaling(sizes, reporter) : []
  reporter.section('Weir consumer groups: throughput by members over 8 partitions, rebalance time')
  const groups = weirFound?.available ? await runGroupBench(sizes, reporter) : undefined
  reporter.section('Physical limits of this machine')
  const limits = await runLimits(sizes, reporter)
  const skipped = weirFound === undefined || weirFound.available ? 'no Weir configuration' : weirFound.reason
  return {
    systems,
    scaling,
    ...(weirFound?.available ? {} : { scalingSkipped: skipped }),
    ...(groups ? { groups } : { groupsSkipped: skipped }),
    limits,
  }
}

async function runSystem(
  configuration: SystemConfiguration,
  availability: ServerAvailability,
  sizes: CompareSizes,
  reporter: CompareReporter,
): Promise<SystemResult> {
  const { find: _find, start: _start, ...description } = configuration
  const result: SystemResult = { ...description, throughput: {}, errors: [] }
  if (!availability.available) {
    reporter.notice(`skipped: ${availability.reason}`)
    return { ...result, skipped: availability.reason }
  }
  const session = await configuration.start(availability.executable)
  try {
    await runWorkloads(session, sizes, reporter, result)
  } finally {
    await session.close()
  }
  return { ...result, serverVersion: availability.version }
}

async function runWorkloads(
  session: SystemSession,
  sizes: CompareSizes,
  reporter: CompareReporter,
  result: SystemResult,
): Promise<void> {
  const attempt = async <T>(workload: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run()
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      reporter.notice(`${workload} failed: ${message}`)
      result.errors.push({ workload, message })
      return undefined
    }
  }
  await attempt('warm-up', async () => {
    reporter.workloadStarted(
      `warm-up, not counted: produce and consume ${formatCount(sizes.warmupMessages)} × 100 B`,
    )
    const stream = streamName('warmup')
    const spec = { messages: sizes.warmupMessages, valueBytes: 100 }
    await session.produce(stream, spec, reporter.progress)
    reporter.workloadFinished(rate(await session.consume(stream, spec, () => {})))
    await session.deleteStream(stream)
  })
  const produceRuns = new Map<ThroughputWorkloadId, ThroughputMeasurement[]>()
  const record = (id: ThroughputWorkloadId, measurement: ThroughputMeasurement | undefined) => {
    if (measurement === undefined) return
    produceRuns.set(id, [...(produceRuns.get(id) ?? []), measurement])
    reporter.workloadFinished(rate(measurement))
  }
  const cases = [
    { valueBytes: 100, messages: sizes.smallMessages, produce: 'produce-100B', consume: 'consume-100B' },
    { valueBytes: 1024, messages: sizes.largeMessages, produce: 'produce-1KiB', consume: 'consume-1KiB' },
  ] as const
  for (let run = 1; run <= sizes.repetitions; run++) {
    for (const entry of cases) {
      const spec = { messages: entry.messages, valueBytes: entry.valueBytes }
      const runLabel = sizes.repetitions > 1 ? `, run ${run}/${sizes.repetitions}` : ''
      const stream = streamName(entry.produce)
      reporter.workloadStarted(`${entry.produce} × ${formatCount(spec.messages)}${runLabel}`)
      const produced = await attempt(entry.produce, () => session.produce(stream, spec, reporter.progress))
      record(entry.produce, produced)
      if (produced === undefined) continue
      reporter.workloadStarted(`${entry.consume} × ${formatCount(spec.messages)}${runLabel}`)
      record(
        entry.consume,
        await attempt(entry.consume, () => session.consume(stream, spec, reporter.progress)),
      )
      await attempt('delete stream', () => session.deleteStream(stream))
    }
  }
  for (const entry of cases) {
    const spec = { messages: entry.messages, valueBytes: entry.valueBytes }
    for (const id of [entry.produce, entry.consume]) {
      const runs = produceRuns.get(id)
      if (runs)
        result.throughput[id] = { spec, measurement: medianRun(runs, (m) => m.messagesPerSecond), runs }
    }
  }
  const latencySpec: LatencySpec = {
    ratePerSecond: sizes.latencyRatePerSecond,
    seconds: sizes.latencySeconds,
    valueBytes: 100,
  }
  reporter.workloadStarted(
    `latency at ${formatCount(latencySpec.ratePerSecond)} msg/s for ${latencySpec.seconds} s, 100 B`,
  )
  const latency = await attempt('latency', async () =>
    measureChannelLatency(
      await session.openLatencyChannel(streamName('latency'), latencySpec),
      latencySpec,
      reporter.progress,
    ),
  )
  if (latency) {
    reporter.workloadFinished(
      `p50 ${latency.p50Ms.toFixed(2)} ms, p99 ${latency.p99Ms.toFixed(2)} ms, p99.9 ${latency.p999Ms.toFixed(2)} ms${describeStages(latency.stages)}`,
    )
    Object.assign(result, { latency: { spec: latencySpec, measurement: latency, runs: [latency] } })
  }
  await runGroup(session, sizes, reporter, result, attempt)
}

async function runGroup(
  session: SystemSession,
  sizes: CompareSizes,
  reporter: CompareReporter,
  result: SystemResult,
  attempt: <T>(workload: string, run: () => Promise<T>) => Promise<T | undefined>,
): Promise<void> {
  const spec: GroupSpec = { messages: sizes.groupMessages, valueBytes: 100, consumers: 4, partitions: 8 }
  const consumerGroup = session.consumerGroup.bind(session)
  const runs: ThroughputMeasurement[] = []
  for (let run = 1; run <= sizes.repetitions; run++) {
    const stream = streamName('group')
    reporter.workloadStarted(
      `consumer group: 4 consumers read ${formatCount(spec.messages)} × 100 B (filled first, not timed)`,
    )
    const measurement = await attempt('group-100B', () => consumerGroup(stream, spec, reporter.progress))
    await attempt('delete stream', () => session.deleteStream(stream))
    if (measurement === undefined) continue
    reporter.workloadFinished(rate(measurement))
    runs.push(measurement)
  }
  if (runs.length > 0) {
    result.throughput['group-100B'] = { spec, measurement: medianRun(runs, (m) => m.messagesPerSecond), runs }
  }
}

async function runScaling(sizes: CompareSizes, reporter: CompareReporter): Promise<ScalingResult[]> {
  const configuration = weirConfiguration('always')
  const found = await configuration.find()
  if (!found.available) return []
  const cases = [
    ...sizes.scalingPartitions.map((partitions) => ({ partitions, valueBytes: 100 })),
    ...[1024, 16384].map((valueBytes) => ({ partitions: 1, valueBytes })),
  ]
  const session = await configuration.start(found.executable)
  const results: ScalingResult[] = []
  try {
    for (const { partitions, valueBytes } of cases) {
      const spec = {
        messages: sizes.scalingMessages[valueBytes as keyof CompareSizes['scalingMessages']],
        valueBytes,
      }
      const runs: ThroughputMeasurement[] = []
      for (let run = 1; run <= sizes.repetitions; run++) {
        reporter.workloadStarted(
          `produce ${formatCount(spec.messages)} × ${valueBytes} B to ${partitions} partition${partitions > 1 ? 's' : ''}`,
        )
        const stream = streamName(`scaling-${partitions}p-${valueBytes}b`)
        const measurement = await session.produceToPartitions(stream, spec, partitions, reporter.progress)
        await session.deleteStream(stream)
        reporter.workloadFinished(rate(measurement))
        runs.push(measurement)
      }
      const measurement = medianRun(runs, (m) => m.messagesPerSecond)
      results.push({ partitions, valueBytes, result: { spec, measurement, runs } })
    }
  } finally {
    await session.close()
  }
  return results
}

async function runGroupBench(sizes: CompareSizes, reporter: CompareReporter): Promise<GroupResults> {
  const { messages, memberCounts, rebalances, trickleIntervalMs } = sizes.groupBench
  const server = await startWeir(weirServerConfig)
  const brokers = [`${server.host}:${server.port}`]
  const results: GroupResults = { throughput: [], rebalance: [], errors: [] }
  const attempt = async <T>(workload: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run()
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      reporter.notice(`${workload} failed: ${message}`)
      results.errors.push({ workload, message })
      return undefined
    }
  }
  try {
    for (const members of memberCounts) {
      const spec: GroupThroughputSpec = { messages, valueBytes: 100, members, partitions: 8 }
      const runs: GroupThroughputMeasurement[] = []
      for (let run = 1; run <= sizes.repetitions; run++) {
        reporter.workloadStarted(
          `group of ${members} over 8 partitions reads ${formatCount(messages)} × 100 B (filled first, not timed)`,
        )
        const measurement = await attempt(`group of ${members}`, () =>
          measureGroupThroughput(brokers, streamName(`groups-${members}`), spec, reporter.progress),
        )
        if (measurement === undefined) continue
        reporter.workloadFinished(rate(measurement))
        runs.push(measurement)
      }
      if (runs.length > 0)
        results.throughput.push({ spec, measurement: medianRun(runs, (m) => m.messagesPerSecond), runs })
    }
    for (const kind of ['leave', 'join'] as const) {
      const spec: RebalanceSpec = { kind, rebalances, members: 4, partitions: 8, trickleIntervalMs }
      reporter.workloadStarted(
        `${rebalances} rebalances after a ${kind === 'leave' ? 'clean leave (close())' : 'join'}, group of 4 over 8 partitions`,
      )
      const statistics = await attempt(`rebalance after a ${kind}`, () =>
        measureRebalances(brokers, streamName(`rebalance-${kind}`), spec, reporter.progress),
      )
      if (statistics === undefined) continue
      reporter.workloadFinished(
        `p50 ${statistics.p50Ms.toFixed(0)} ms, max ${statistics.maxMs.toFixed(0)} ms`,
      )
      results.rebalance.push({ spec, statistics })
    }
  } finally {
    await server.stop()
  }
  return results
}

async function runLimits(sizes: CompareSizes, reporter: CompareReporter): Promise<CompareResults['limits']> {
  const mebibyte = 1024 * 1024
  const repeat = async <Spec, Measurement extends { megabytesPerSecond: number }>(
    label: string,
    spec: Spec,
    measure: (spec: Spec, progress: Progress) => Promise<Measurement>,
  ): Promise<Repeated<Spec, Measurement>> => {
    const runs: Measurement[] = []
    for (let run = 1; run <= sizes.repetitions; run++) {
      reporter.workloadStarted(label)
      const measurement = await measure(spec, reporter.progress)
      reporter.workloadFinished(`${formatRate(measurement.megabytesPerSecond)} MB/s`)
      runs.push(measurement)
    }
    return { spec, measurement: medianRun(runs, (m) => m.megabytesPerSecond), runs }
  }
  const once: DiskWriteSpec = { blockBytes: mebibyte, blockCount: sizes.diskMebibytes, syncEachBlock: false }
  // The first pass over fresh page-cache memory is slow on virtual machines: warm it up, uncounted.
  reporter.workloadStarted(`warm-up, not counted: disk write ${sizes.diskMebibytes} MiB`)
  reporter.workloadFinished(
    `${formatRate((await measureDiskWrite(once, reporter.progress)).megabytesPerSecond)} MB/s`,
  )
  const diskSyncOnce = await repeat(
    `disk: write ${sizes.diskMebibytes} MiB, fdatasync once`,
    once,
    measureDiskWrite,
  )
  const diskSyncEachBlock = await repeat(
    `disk: write ${sizes.diskSyncEachBlockMebibytes} MiB, fdatasync after every MiB`,
    { blockBytes: mebibyte, blockCount: sizes.diskSyncEachBlockMebibytes, syncEachBlock: true },
    measureDiskWrite,
  )
  const loopback = await repeat(
    `loopback TCP: ${sizes.loopbackMebibytes} MiB through node:net to another process`,
    { totalBytes: sizes.loopbackMebibytes * mebibyte, blockBytes: mebibyte },
    measureLoopback,
  )
  return { diskSyncOnce, diskSyncEachBlock, loopback }
}
