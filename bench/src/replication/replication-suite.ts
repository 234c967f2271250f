// Replication benchmarks on a 3-broker Weir cluster (every broker its own `weir broker --peers`
// process on 127.0.0.1): produce throughput and acknowledgement latency into topics of 8
// partitions with replication factor 1 and 3, acks all, with topic fsync 'always' (the default,
// the targets) and every 1000 ms (to tell the disk's share of the cost from the CPU's), all on one
// cluster; then failover time on a cluster of its own (failover.ts). Throughput runs rotate over
// the topics so that a drift of the machine during the run weighs on every case alike; the median
// run of each is reported, with the CPU the brokers and the client used: on a machine with fewer
// cores than processes, RF 3 is bound by CPU shared by all three replicas.
import { Client } from '@weir/client'
import type { WeirFsync } from '../compare/weir.js'
import type { E2eReporter } from '../e2e/e2e-suite.js'
import type { LatencyMeasurement } from '../e2e/latency.js'
import { benchTopicName, type ProduceMeasurement, type ProduceSpec, produceMessages } from '../e2e/produce.js'
import { formatCount, formatRate } from '../format.js'
import { medianRun } from '../measurement.js'
import { startWeirCluster, type WeirCluster } from '../servers/weir-cluster.js'
import type { SuiteName } from '../suites.js'
import { type FailoverMeasurement, type FailoverSpec, measureFailover } from './failover.js'
import { type AckLatencySpec, createReplicatedTopic, measureAckLatency } from './replicated-produce.js'

export const replicationFactors = [1, 3] as const
export type ReplicationFactor = (typeof replicationFactors)[number]

export interface ReplicationSizes {
  /** Topic fsync policies measured, each with RF 1 and RF 3; the targets are judged on the first. */
  readonly fsyncPolicies: readonly WeirFsync[]
  readonly partitions: number
  readonly valueBytes: number
  /** Messages per throughput run. */
  readonly messages: number
  /** Produced into each topic before the first timed run, not counted. */
  readonly warmupMessages: number
  /** Sends in flight (sendBatch of 1,000), as in the single-broker produce benchmarks. */
  readonly windowMessages: number
  readonly latencyRatePerSecond: number
  readonly latencySeconds: number
  /** Throughput runs per replication factor; the median is reported. Latency runs once. */
  readonly repetitions: number
  readonly failover: FailoverSpec
}

export const replicationSizes: Record<SuiteName, ReplicationSizes> = {
  quick: {
    fsyncPolicies: ['always', 1000],
    partitions: 8,
    valueBytes: 100,
    messages: 300_000,
    warmupMessages: 20_000,
    windowMessages: 20_000,
    latencyRatePerSecond: 5_000,
    latencySeconds: 5,
    repetitions: 3,
    failover: { kills: 3, probeIntervalMs: 25, settleMs: 2_000, failoverTimeoutMs: 30_000 },
  },
  full: {
    fsyncPolicies: ['always', 1000],
    partitions: 8,
    valueBytes: 100,
    messages: 1_000_000,
    warmupMessages: 50_000,
    windowMessages: 20_000,
    latencyRatePerSecond: 5_000,
    latencySeconds: 10,
    repetitions: 3,
    failover: { kills: 10, probeIntervalMs: 25, settleMs: 3_000, failoverTimeoutMs: 30_000 },
  },
}

interface ReplicatedTopic {
  readonly fsync: WeirFsync
  readonly replicationFactor: ReplicationFactor
  readonly topic: string
  /** Leader broker id of each partition when the topic was created. */
  readonly leaders: readonly number[]
}

export interface ReplicatedProduceRun extends ProduceMeasurement {
  /** CPU seconds of the three brokers together during the run; null where /proc is missing. */
  readonly brokerCpuSeconds: number | null
  /** CPU seconds of the benchmark process (the client) during the run. */
  readonly clientCpuSeconds: number
}

export interface ReplicatedProduceCase extends ReplicatedTopic {
  readonly label: string
  readonly spec: ProduceSpec
  readonly measurement: ReplicatedProduceRun
  readonly runs: readonly ReplicatedProduceRun[]
}

export interface ReplicatedLatencyCase {
  readonly replicationFactor: ReplicationFactor
  readonly fsync: WeirFsync
  readonly label: string
  readonly spec: AckLatencySpec & { readonly partitions: number }
  readonly measurement: LatencyMeasurement
}

export interface FailoverResult {
  readonly spec: FailoverSpec
  readonly measurement?: FailoverMeasurement
  /** Why the failover measurement stopped, with the tail of every broker's log. */
  readonly error?: string
}

export interface ReplicationResults {
  readonly throughput: readonly ReplicatedProduceCase[]
  readonly latency: readonly ReplicatedLatencyCase[]
  readonly failover?: FailoverResult
}

export interface ReplicationParts {
  /** Throughput and latency, RF 1 vs RF 3. */
  readonly produce: boolean
  readonly failover: boolean
}

const rate = (m: ProduceMeasurement) =>
  `${formatCount(m.messagesPerSecond)} msg/s, ${formatRate(m.megabytesPerSecond)} MB/s`

export async function runReplicationSuite(
  sizes: ReplicationSizes,
  reporter: E2eReporter,
  parts: ReplicationParts = { produce: true, failover: true },
): Promise<ReplicationResults> {
  const produceSteps = 1 + replicationFactors.length * sizes.fsyncPolicies.length
  const steps = (parts.produce ? produceSteps : 0) + (parts.failover ? 1 : 0)
  const produced = parts.produce ? await runProduce(sizes, reporter, steps) : { throughput: [], latency: [] }
  if (!parts.failover) return produced
  reporter.caseStarted(
    steps,
    steps,
    `failover: SIGKILL of the leader of a 1-partition RF 3 topic, ${sizes.failover.kills} kills`,
  )
  reporter.runStarted(1, 1)
  let failover: FailoverResult
  try {
    const measurement = await measureFailover(sizes.failover, reporter.progress)
    failover = { spec: sizes.failover, measurement }
    reporter.runFinished(
      `p50 ${measurement.p50Ms.toFixed(0)} ms, p99 ${measurement.p99Ms.toFixed(0)} ms, ` +
        `max ${measurement.maxMs.toFixed(0)} ms over ${measurement.kills.length} kills`,
    )
  } catch (error) {
    // A cluster that does not recover is a finding: reported with the brokers' logs, not thrown.
    failover = { spec: sizes.failover, error: error instanceof Error ? error.message : String(error) }
    reporter.runFinished(`FAILED: ${failover.error}`)
  }
  return { ...produced, failover }
}

async function runProduce(
  sizes: ReplicationSizes,
  reporter: E2eReporter,
  steps: number,
): Promise<Pick<ReplicationResults, 'throughput' | 'latency'>> {
  const cluster = await startWeirCluster()
  const client = new Client({ brokers: [...cluster.bootstrap], clientId: 'bench-replication' })
  try {
    const spec: ProduceSpec = {
      messages: sizes.messages,
      valueBytes: sizes.valueBytes,
      partitions: sizes.partitions,
      acks: 'all',
      windowMessages: sizes.windowMessages,
    }
    const topics: ReplicatedTopic[] = []
    for (const fsync of sizes.fsyncPolicies) {
      for (const replicationFactor of replicationFactors) {
        const topic = benchTopicName(`rf${replicationFactor}`)
        const leaders = await createReplicatedTopic(client, topic, sizes.partitions, replicationFactor, {
          fsync,
        })
        // Uncounted: JIT, connections, producer ids, first segments and Raft pipelines settle.
        await produceMessages(client, topic, { ...spec, messages: sizes.warmupMessages })
        topics.push({ fsync, replicationFactor, topic, leaders })
      }
    }
    const caseLabel = ({ fsync, replicationFactor }: ReplicatedTopic) =>
      `produce ${sizes.valueBytes} B, ${sizes.partitions} partitions, RF ${replicationFactor}, ${fsyncLabel(fsync)}`
    reporter.caseStarted(1, steps, `produce throughput: ${topics.map(caseLabel).join(' / ')}, rotating`)
    const runs = topics.map(() => [] as ReplicatedProduceRun[])
    const runCount = sizes.repetitions * topics.length
    let run = 0
    for (let repetition = 0; repetition < sizes.repetitions; repetition++) {
      // Each repetition starts with the next topic, so no case always runs first or last.
      for (let turn = 0; turn < topics.length; turn++) {
        const index = (repetition + turn) % topics.length
        reporter.runStarted(++run, runCount)
        const measurement = await measureRun(cluster, client, topics[index]!.topic, spec, reporter)
        reporter.runFinished(`${caseLabel(topics[index]!)}: ${rate(measurement)}, ${cpu(measurement)}`)
        runs[index]!.push(measurement)
      }
    }
    const throughput = topics.map((entry, index) => ({
      ...entry,
      label: caseLabel(entry),
      spec,
      measurement: medianRun(runs[index]!, (m) => m.messagesPerSecond),
      runs: runs[index]!,
    }))
    const latency: ReplicatedLatencyCase[] = []
    for (const [index, entry] of topics.entries()) {
      const latencySpec = {
        ratePerSecond: sizes.latencyRatePerSecond,
        seconds: sizes.latencySeconds,
        valueBytes: sizes.valueBytes,
        partitions: sizes.partitions,
      }
      const label =
        `ack latency at ${formatCount(latencySpec.ratePerSecond)} msg/s for ${latencySpec.seconds} s, ` +
        `${sizes.valueBytes} B, ${sizes.partitions} partitions, RF ${entry.replicationFactor}, ${fsyncLabel(entry.fsync)}`
      reporter.caseStarted(2 + index, steps, label)
      reporter.runStarted(1, 1)
      const measurement = await measureAckLatency(client, entry.topic, latencySpec, reporter.progress)
      reporter.runFinished(
        `p50 ${measurement.p50Ms.toFixed(2)} ms, p99 ${measurement.p99Ms.toFixed(2)} ms, ` +
          `p99.9 ${measurement.p999Ms.toFixed(2)} ms`,
      )
      latency.push({
        replicationFactor: entry.replicationFactor,
        fsync: entry.fsync,
        label,
        spec: latencySpec,
        measurement,
      })
    }
    return { throughput, latency }
  } catch (error) {
    throw new Error(`${(error as Error).message}\nBroker logs:\n${await cluster.logTail()}`)
  } finally {
    await client.close()
    await cluster.stop()
  }
}

/** One throughput run, with the CPU the brokers and this process (the client) used during it. */
async function measureRun(
  cluster: WeirCluster,
  client: Client,
  topic: string,
  spec: ProduceSpec,
  reporter: E2eReporter,
): Promise<ReplicatedProduceRun> {
  const brokerCpuBefore = await cluster.cpuSeconds()
  const clientCpuBefore = process.cpuUsage()
  const measurement = await produceMessages(client, topic, spec, reporter.progress)
  const clientCpu = process.cpuUsage(clientCpuBefore)
  const brokerCpuAfter = await cluster.cpuSeconds()
  return {
    ...measurement,
    brokerCpuSeconds:
      brokerCpuBefore === undefined || brokerCpuAfter === undefined ? null : brokerCpuAfter - brokerCpuBefore,
    clientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6,
  }
}

/** Cores kept busy on average by the brokers and the client together during a run. */
export function coresBusy(run: ReplicatedProduceRun): number | null {
  return run.brokerCpuSeconds === null ? null : (run.brokerCpuSeconds + run.clientCpuSeconds) / run.seconds
}

const cpu = (run: ReplicatedProduceRun) => {
  const cores = coresBusy(run)
  return cores === null ? 'CPU unknown' : `${cores.toFixed(2)} cores busy`
}

export function fsyncLabel(fsync: WeirFsync): string {
  return fsync === 'always' ? 'fsync always' : `fsync every ${fsync} ms`
}
