// The common face of every system the comparison runs: Weir, Redis Streams, NATS JetStream. Every
// workload is defined here once, by what it must do; each adapter does it with its own client at
// that client's best, and the suite (compare-suite.ts) times nothing an adapter could skip.
import type { LatencyStages } from '../e2e/latency-stages.js'
import type { Progress } from '../measurement.js'
import type { ServerAvailability } from '../servers/server.js'

export interface ThroughputSpec {
  readonly messages: number
  /** Bytes of each message's payload (the same bytes for every message and every system). */
  readonly valueBytes: number
}

export interface ThroughputMeasurement {
  readonly messages: number
  /** Payload bytes only: keys, ids, subjects and headers are each system's own overhead. */
  readonly bytes: number
  readonly seconds: number
  readonly messagesPerSecond: number
  readonly megabytesPerSecond: number
}

export interface LatencySpec {
  readonly ratePerSecond: number
  readonly seconds: number
  /** At least 8: the first 8 bytes carry the send time. */
  readonly valueBytes: number
}

export interface LatencyMeasurement {
  readonly messages: number
  readonly achievedRatePerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly p999Ms: number
  readonly maxMs: number
  /** [percentile, ms] points from 0 to 100, dense in the tail, for a percentile curve. */
  readonly curve: readonly (readonly [number, number])[]
  /** Where the time goes (e2e/latency-stages.ts): absent in results recorded before it existed. */
  readonly stages?: LatencyStages
}

export interface GroupSpec extends ThroughputSpec {
  readonly consumers: number
  readonly partitions: number
}

/**
 * How much acknowledged data a power loss can take: `lossWindowMs` 0 means every acknowledged
 * write was fsynced before its acknowledgement.
 */
export interface Durability {
  readonly lossWindowMs: number
  /** For table rows: 'fsync before ack', 'fsync every 1 s', ... */
  readonly short: string
  readonly description: string
}

/**
 * A stream of messages one workload sends and receives through a system: the latency driver
 * (latency-driver.ts) times its send-to-receipt path, the same way for every system.
 */
export interface LatencyChannel {
  /** Starts receiving from the (empty) stream's beginning; calls `onValue` for every message. */
  subscribe(onValue: (value: Uint8Array) => void): Promise<void>
  /**
   * Sends without waiting for the acknowledgement; a failed send surfaces from `drain`. Returns
   * the acknowledgement, which the driver times (a rejection is `drain`'s to report).
   */
  send(value: Buffer): Promise<unknown>
  /** Resolves when every send was acknowledged, rejects with the first failure. */
  drain(): Promise<void>
  close(): Promise<void>
}

/** One running server with its clients, for one system configuration. */
export interface SystemSession {
  /** Writes `spec.messages` into a new stream `stream` from one producer, timed. */
  produce(stream: string, spec: ThroughputSpec, progress: Progress): Promise<ThroughputMeasurement>
  /** Reads all of `stream` (written by produce) from its beginning with one consumer, timed. */
  consume(stream: string, spec: ThroughputSpec, progress: Progress): Promise<ThroughputMeasurement>
  /** Frees what a stream holds (memory, disk) so later workloads do not pay for it. */
  deleteStream(stream: string): Promise<void>
  /** A fresh, empty stream for the latency driver. */
  openLatencyChannel(stream: string, spec: LatencySpec): Promise<LatencyChannel>
  /** Fills `stream` (not timed), then `spec.consumers` consumers in one group read all of it, timed. */
  consumerGroup(stream: string, spec: GroupSpec, progress: Progress): Promise<ThroughputMeasurement>
  /** Stops the clients and the server, deleting its data. */
  close(): Promise<void>
}

/** A system under one durability setting, e.g. Redis with appendfsync always. */
export interface SystemConfiguration {
  /** Stable id for the JSON file: 'weir-fsync-always', 'redis-appendfsync-always', ... */
  readonly id: string
  /** 'Weir', 'Redis Streams', 'NATS JetStream'. */
  readonly system: string
  /** The row label: system plus setting. */
  readonly label: string
  readonly isWeir: boolean
  readonly durability: Durability
  /** How each workload is done, for the report and the JSON file. */
  readonly method: WorkloadMethods
  /** Server binary and version, or why it cannot run (which Debian package to install). */
  find(): Promise<ServerAvailability>
  start(executable: string): Promise<SystemSession>
}

export interface WorkloadMethods {
  readonly produce: string
  readonly consume: string
  readonly latency: string
  readonly consumerGroup: string
}

export function throughput(messages: number, valueBytes: number, seconds: number): ThroughputMeasurement {
  const bytes = messages * valueBytes
  return {
    messages,
    bytes,
    seconds,
    messagesPerSecond: messages / seconds,
    megabytesPerSecond: bytes / 1_000_000 / seconds,
  }
}

/** Progress calls at most every `total / 20` messages: the timed loops must not pay for printing. */
export function throttledProgress(progress: Progress, total: number): (done: number) => void {
  const step = Math.max(1, Math.floor(total / 20))
  let next = step
  return (done) => {
    if (done < next && done < total) return
    next = done + step
    progress(done, total)
  }
}
