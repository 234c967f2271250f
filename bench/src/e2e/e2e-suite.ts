// End-to-end cases through TCP against a broker in its own process: produce (value size ×
// partitions × acks), consume, and latency at a fixed rate. One broker per case so no case
// inherits another's page cache, segments or open files.
import { formatCount, formatRate } from '../format.js'
import { medianRun, type Progress } from '../measurement.js'
import { type ConsumeMeasurement, type ConsumeSpec, measureConsume } from './consume.js'
import { type LatencyMeasurement, type LatencySpec, measureLatency } from './latency.js'
import { describeStages } from './latency-stages.js'
import { measureProduce, type ProduceMeasurement, type ProduceSpec } from './produce.js'
import { startWeirServer } from './weir-server.js'

export interface E2eSizes {
  readonly smallMessages: number
  readonly largeMessages: number
  readonly consumeMessages: number
  readonly latencySeconds: number
  readonly repetitions: number
}

export const e2eSizes = {
  quick: {
    smallMessages: 300_000,
    largeMessages: 60_000,
    // 100 B consume rows: at least 0.5 s at issue 14's 2M msg/s target.
    consumeMessages: 1_000_000,
    latencySeconds: 5,
    repetitions: 1,
  },
  full: {
    smallMessages: 1_000_000,
    largeMessages: 200_000,
    consumeMessages: 2_000_000,
    latencySeconds: 10,
    repetitions: 3,
  },
} as const satisfies Record<string, E2eSizes>

export interface Case<Spec, Measurement> {
  readonly label: string
  readonly spec: Spec
  readonly measurement: Measurement
  readonly runs: readonly Measurement[]
}

export interface E2eResults {
  readonly produce: readonly Case<ProduceSpec, ProduceMeasurement>[]
  readonly consume: readonly Case<ConsumeSpec, ConsumeMeasurement>[]
  readonly latency: readonly Case<LatencySpec, LatencyMeasurement>[]
}

export interface E2eReporter {
  caseStarted(step: number, steps: number, label: string): void
  runStarted(run: number, runs: number): void
  readonly progress: Progress
  runFinished(summary: string): void
}

export function produceSpecs(sizes: E2eSizes): { label: string; spec: ProduceSpec }[] {
  const specs: { label: string; spec: ProduceSpec }[] = []
  for (const [valueBytes, messages] of [
    [100, sizes.smallMessages],
    [1024, sizes.largeMessages],
  ] as const) {
    for (const partitions of [1, 8]) {
      for (const acks of ['leader', 'all'] as const) {
        const label = `produce ${valueBytes === 100 ? '100 B' : '1 KiB'}, ${partitions} partition${partitions > 1 ? 's' : ''}, acks ${acks}`
        specs.push({ label, spec: { messages, valueBytes, partitions, acks, windowMessages: 20_000 } })
      }
    }
  }
  return specs
}

export async function runE2eSuite(sizes: E2eSizes, reporter: E2eReporter): Promise<E2eResults> {
  const produceCases = produceSpecs(sizes)
  const consumeCases = [1, 8].map((partitions) => ({
    label: `consume 100 B, ${partitions} partition${partitions > 1 ? 's' : ''}`,
    spec: { messages: sizes.consumeMessages, valueBytes: 100, partitions } satisfies ConsumeSpec,
  }))
  const latencyCases = [
    {
      label: `latency at 10,000 msg/s for ${sizes.latencySeconds} s, 100 B, acks all`,
      spec: {
        ratePerSecond: 10_000,
        seconds: sizes.latencySeconds,
        valueBytes: 100,
        partitions: 1,
        acks: 'all',
      } satisfies LatencySpec,
    },
  ]
  const steps = produceCases.length + consumeCases.length + latencyCases.length
  let step = 0
  const repeat = async <Spec, Measurement>(
    entry: { label: string; spec: Spec },
    measure: (brokers: string, spec: Spec, progress: Progress) => Promise<Measurement>,
    figure: (measurement: Measurement) => number,
    describe: (measurement: Measurement) => string,
  ): Promise<Case<Spec, Measurement>> => {
    reporter.caseStarted(++step, steps, entry.label)
    const runs: Measurement[] = []
    for (let run = 1; run <= sizes.repetitions; run++) {
      reporter.runStarted(run, sizes.repetitions)
      const server = await startWeirServer()
      try {
        const measurement = await measure(server.address, entry.spec, reporter.progress)
        reporter.runFinished(describe(measurement))
        runs.push(measurement)
      } finally {
        await server.stop()
      }
    }
    return { ...entry, measurement: medianRun(runs, figure), runs }
  }
  const rate = (m: { messagesPerSecond: number; megabytesPerSecond: number }) =>
    `${formatCount(m.messagesPerSecond)} msg/s, ${formatRate(m.megabytesPerSecond)} MB/s`
  const produce = []
  for (const entry of produceCases)
    produce.push(await repeat(entry, measureProduce, (m) => m.messagesPerSecond, rate))
  const consume = []
  for (const entry of consumeCases)
    consume.push(await repeat(entry, measureConsume, (m) => m.messagesPerSecond, rate))
  const latency = []
  for (const entry of latencyCases) {
    latency.push(
      await repeat(
        entry,
        measureLatency,
        (m) => m.p99Ms,
        (m) =>
          `p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms, p99.9 ${m.p999Ms.toFixed(2)} ms${describeStages(m.stages)}`,
      ),
    )
  }
  return { produce, consume, latency }
}
