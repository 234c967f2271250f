// End-to-end latency at a fixed offered rate: a producer sends on a schedule (not as fast as it
// can), a consumer in the same process records send-to-receipt time of every message in an HDR
// histogram. Same process, so both read one clock.
import { Client, codecs, defineTopic } from '@weir/client'
import type * as hdr from 'hdr-histogram-js'
import type { Progress } from '../measurement.js'
import { buildLatencyHistogram, percentileMs } from './latency-histogram.js'
import { LatencyStageRecorder, type LatencyStages } from './latency-stages.js'
import { benchKey, benchTopicName, createBenchTopic } from './produce.js'

export interface LatencySpec {
  readonly ratePerSecond: number
  readonly seconds: number
  readonly valueBytes: number
  readonly partitions: number
  readonly acks: 'leader' | 'all'
}

export interface LatencyMeasurement {
  readonly messages: number
  readonly achievedRatePerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly p999Ms: number
  readonly maxMs: number
  /** [percentile, ms] points for a latency curve. */
  readonly curve: readonly (readonly [number, number])[]
  /** Send to acknowledgement, and the event loop's delay (latency-stages.ts); absent in older results. */
  readonly stages?: LatencyStages
}

// Re-exported: other benchmarks take them from here.
export { buildLatencyHistogram, percentileMs }

const tickMs = 1
const curvePercentiles = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100]

export async function measureLatency(
  brokers: string,
  spec: LatencySpec,
  progress?: Progress,
): Promise<LatencyMeasurement> {
  const client = new Client({ brokers: [brokers], clientId: 'bench-latency' })
  const histogram = buildLatencyHistogram()
  const stages = new LatencyStageRecorder()
  try {
    const name = benchTopicName('latency')
    await createBenchTopic(client, name, spec.partitions)
    const topic = defineTopic<Buffer>({ name, codec: codecs.raw })
    const consumer = client.consumer({ topics: [topic], fromBeginning: true, maxWaitMs: 100 })
    const producer = client.producer({ acks: spec.acks, lingerMs: 0 })
    const total = Math.round(spec.ratePerSecond * spec.seconds)
    const received = receive(consumer, total, histogram)
    stages.start()
    try {
      const sendSeconds = await sendOnSchedule(
        total,
        spec.ratePerSecond,
        (index) => {
          const value = Buffer.alloc(Math.max(8, spec.valueBytes))
          const sentMs = performance.now()
          value.writeDoubleBE(sentMs, 0)
          stages.acknowledged(producer.send({ topic, key: benchKey(index), value }), sentMs)
        },
        progress,
      )
      await producer.flush()
      await received
      return { ...summarize(histogram, total, total / sendSeconds), stages: stages.finish() }
    } finally {
      await producer.close()
      await consumer.close()
    }
  } finally {
    await client.close()
    stages.stop()
    histogram.destroy()
  }
}

/**
 * Sends message i at start + i/rate: catches up after a late timer instead of drifting. Resolves
 * to the seconds the sending took, for the achieved rate.
 */
export async function sendOnSchedule(
  total: number,
  ratePerSecond: number,
  send: (index: number) => void,
  progress?: Progress,
): Promise<number> {
  const started = performance.now()
  let sent = 0
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerSecond))
    while (sent < due) send(sent++)
    progress?.(sent, total)
    await new Promise((resolve) => setTimeout(resolve, tickMs))
  }
  return (performance.now() - started) / 1000
}

async function receive(
  consumer: AsyncIterable<{ value: Buffer }>,
  total: number,
  histogram: hdr.Histogram,
): Promise<void> {
  let count = 0
  for await (const message of consumer) {
    const micros = Math.max(1, Math.round((performance.now() - message.value.readDoubleBE(0)) * 1000))
    histogram.recordValue(micros)
    if (++count === total) return
  }
}

/** Percentiles of a histogram of microseconds, in ms. */
export function summarize(
  histogram: hdr.Histogram,
  messages: number,
  achievedRatePerSecond: number,
): LatencyMeasurement {
  const ms = (percentile: number) => percentileMs(histogram, percentile)
  return {
    messages,
    achievedRatePerSecond,
    p50Ms: ms(50),
    p99Ms: ms(99),
    p999Ms: ms(99.9),
    maxMs: histogram.maxValue / 1000,
    curve: curvePercentiles.map((percentile) => [percentile, ms(percentile)] as const),
  }
}
