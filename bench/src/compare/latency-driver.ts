// End-to-end latency at a fixed offered rate, driven the same way for every system: message i is
// sent at start + i/rate (catching up after a late timer instead of drifting), a subscriber in the
// same process records send-to-receipt time of every message in an HDR histogram. One process, so
// both ends read one clock. Beside it, the stages (e2e/latency-stages.ts): send to acknowledgement,
// and the benchmark process's event-loop delay, so a tail can be told apart.
import * as hdr from 'hdr-histogram-js'
import { percentileMs } from '../e2e/latency.js'
import { LatencyStageRecorder } from '../e2e/latency-stages.js'
import type { Progress } from '../measurement.js'
import type { LatencyChannel, LatencyMeasurement, LatencySpec } from './system.js'

const tickMs = 1
/** Messages still missing this long after the last send make the run fail instead of hanging. */
const receiveTimeoutMs = 30_000
/** 0, 43.8, 68.4, ... 99.999: evenly spaced on the log-scaled "nines" axis of HdrHistogram plots. */
const curvePercentiles = [...Array.from({ length: 21 }, (_, step) => 100 * (1 - 10 ** (-step / 4))), 100]

export async function measureChannelLatency(
  channel: LatencyChannel,
  spec: LatencySpec,
  progress?: Progress,
): Promise<LatencyMeasurement> {
  if (spec.valueBytes < 8) throw new Error(`latency valueBytes must be at least 8, got ${spec.valueBytes}`)
  // Microseconds, 1 µs to 60 s, 3 significant digits.
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  })
  const stages = new LatencyStageRecorder()
  try {
    const total = Math.round(spec.ratePerSecond * spec.seconds)
    let received = 0
    let allReceived: () => void = () => {}
    const done = new Promise<void>((resolve) => (allReceived = resolve))
    await channel.subscribe((value) => {
      const sentMs = new DataView(value.buffer, value.byteOffset, 8).getFloat64(0)
      histogram.recordValue(Math.max(1, Math.round((performance.now() - sentMs) * 1000)))
      if (++received === total) allReceived()
    })
    stages.start()
    const started = performance.now()
    await sendOnSchedule(
      total,
      spec.ratePerSecond,
      (index) => {
        // A buffer per message: a client may hold it until written.
        const value = Buffer.alloc(spec.valueBytes, index & 0xff)
        const sentMs = performance.now()
        value.writeDoubleBE(sentMs, 0)
        stages.acknowledged(channel.send(value), sentMs)
      },
      progress,
    )
    const sendSeconds = (performance.now() - started) / 1000
    await channel.drain()
    await withTimeout(done, receiveTimeoutMs, () => `received ${received} of ${total} messages`)
    const ms = (percentile: number) => percentileMs(histogram, percentile)
    return {
      messages: total,
      achievedRatePerSecond: total / sendSeconds,
      p50Ms: ms(50),
      p99Ms: ms(99),
      p999Ms: ms(99.9),
      maxMs: histogram.maxValue / 1000,
      curve: curvePercentiles.map((percentile) => [percentile, ms(percentile)] as const),
      stages: stages.finish(),
    }
  } finally {
    stages.stop()
    histogram.destroy()
    await channel.close()
  }
}

async function sendOnSchedule(
  total: number,
  ratePerSecond: number,
  send: (index: number) => void,
  progress?: Progress,
): Promise<void> {
  const started = performance.now()
  let sent = 0
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerSecond))
    while (sent < due) send(sent++)
    progress?.(sent, total)
    await new Promise((resolve) => setTimeout(resolve, tickMs))
  }
}

export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what()}`)), timeoutMs)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
