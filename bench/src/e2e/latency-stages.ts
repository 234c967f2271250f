// The parts of an end-to-end latency run that say where its tail comes from: the time from send to
// the server's acknowledgement (the produce path, fsync included), and how late the benchmark
// process's own event loop ran (a stall there delays every message alike, whichever the system).
// Whatever the end-to-end figure has beyond the acknowledgement is the consumer's wake and fetch.
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks'
import type * as hdr from 'hdr-histogram-js'
import { buildLatencyHistogram, percentileMs } from './latency-histogram.js'

/** Parts of the send-to-receipt time, to tell the server's share from the benchmark process's. */
export interface LatencyStages {
  /** Send to the server's acknowledgement (acks all / fsync per the durability column), ms. */
  readonly ack: PercentilesMs
  /**
   * How late the benchmark process's event loop ran a 1 ms timer while sending and receiving
   * (perf_hooks.monitorEventLoopDelay less its 1 ms resolution), ms: a stall here delays every
   * message alike, whichever the system, and is the client's (or the machine's) share of the tail.
   */
  readonly eventLoopDelay: PercentilesMs
}

export interface PercentilesMs {
  readonly p50Ms: number
  readonly p99Ms: number
  readonly p999Ms: number
  readonly maxMs: number
}

const loopResolutionMs = 1

export class LatencyStageRecorder {
  private readonly ack: hdr.Histogram = buildLatencyHistogram()
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: loopResolutionMs })

  /** Starts watching the event loop; call `stop` (always) when the run ends. */
  start(): void {
    this.loop.enable()
  }

  /** Times `acknowledgement` from `sentMs` (performance.now() at send); a rejection is not timed. */
  acknowledged(acknowledgement: Promise<unknown>, sentMs: number): void {
    acknowledgement.then(
      () => this.ack.recordValue(Math.max(1, Math.round((performance.now() - sentMs) * 1000))),
      () => {},
    )
  }

  /** The stages so far; stops the event-loop monitor. */
  finish(): LatencyStages {
    this.loop.disable()
    // The monitor records the timer's whole interval: its lateness is what exceeds the resolution.
    const nanosToMs = (nanos: number) => Math.max(0, nanos / 1e6 - loopResolutionMs)
    const eventLoopDelay: PercentilesMs = {
      p50Ms: nanosToMs(this.loop.percentile(50)),
      p99Ms: nanosToMs(this.loop.percentile(99)),
      p999Ms: nanosToMs(this.loop.percentile(99.9)),
      maxMs: nanosToMs(this.loop.max),
    }
    const ms = (percentile: number) => percentileMs(this.ack, percentile)
    const ack = { p50Ms: ms(50), p99Ms: ms(99), p999Ms: ms(99.9), maxMs: this.ack.maxValue / 1000 }
    return { ack, eventLoopDelay }
  }

  stop(): void {
    this.loop.disable()
    this.ack.destroy()
  }
}

/** One line for the console: the acknowledgement's p50/p99/p99.9 and the event loop's p99/max. */
export function describeStages(stages: LatencyStages | undefined): string {
  if (stages === undefined) return ''
  const { ack, eventLoopDelay } = stages
  return (
    `; ack p50 ${ack.p50Ms.toFixed(2)} / p99 ${ack.p99Ms.toFixed(2)} / p99.9 ${ack.p999Ms.toFixed(2)} ms` +
    `, event-loop delay p99 ${eventLoopDelay.p99Ms.toFixed(2)} / max ${eventLoopDelay.maxMs.toFixed(2)} ms`
  )
}
