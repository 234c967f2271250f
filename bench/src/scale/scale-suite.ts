// The scale rows of issue 14 (part 7), each at several sizes so growth shows: many partitions, many
// topics, many connections, and one large log read from the start. Every size runs on a fresh
// broker process (its RSS is the figure), one after another; the quick suite stays under about
// 3 minutes on an idle 2-core machine, the full one under about 20.
import type { SuiteName } from '../suites.js'
import { type ConnectionsMeasurement, measureConnections } from './connections.js'
import { type LargeLogResult, type LargeLogSpec, measureLargeLog } from './large-log.js'
import { measurePartitions, type PartitionsMeasurement } from './partitions.js'
import { type OpenFilesLimit, openFilesLimit } from './process-memory.js'
import { measureTopics, type TopicsMeasurement } from './topics.js'

export interface ScaleSizes {
  readonly partitions: readonly number[]
  /** 100 B messages produced into the topic of N partitions, then consumed. */
  readonly partitionMessages: number
  readonly topics: readonly number[]
  readonly everyTopicRequests: number
  readonly oneTopicRequests: number
  readonly connections: readonly number[]
  /** 100 B messages over all producers together. */
  readonly connectionMessages: number
  readonly largeLog: LargeLogSpec
}

const gigabyte = 1e9

export const scaleSizes: Record<SuiteName, ScaleSizes> = {
  quick: {
    partitions: [10, 100, 1000],
    partitionMessages: 100_000,
    topics: [100, 300, 1000],
    everyTopicRequests: 20,
    oneTopicRequests: 100,
    connections: [10, 100, 1000],
    connectionMessages: 100_000,
    largeLog: {
      targetBytes: 1 * gigabyte,
      minimumBytes: 0.5 * gigabyte,
      reserveBytes: 10 * gigabyte,
      fillSecondsMax: 60,
      valueBytes: 1024,
    },
  },
  full: {
    partitions: [10, 100, 1000, 5000],
    partitionMessages: 500_000,
    topics: [100, 1000, 10_000],
    everyTopicRequests: 20,
    oneTopicRequests: 200,
    connections: [10, 100, 1000, 4000],
    connectionMessages: 400_000,
    largeLog: {
      targetBytes: 50 * gigabyte,
      minimumBytes: 1 * gigabyte,
      reserveBytes: 20 * gigabyte,
      fillSecondsMax: 240,
      valueBytes: 1024,
    },
  },
}

export interface ScaleResults {
  readonly openFilesLimit: OpenFilesLimit | undefined
  readonly partitions: readonly PartitionsMeasurement[]
  readonly topics: readonly TopicsMeasurement[]
  readonly connections: readonly ConnectionsMeasurement[]
  /** Connection counts left out, and why (the open-files limit). */
  readonly connectionsSkipped: readonly string[]
  readonly largeLog: LargeLogResult
}

export interface ScaleReporter {
  caseStarted(step: number, steps: number, label: string): void
  progress(done: number, total: number): void
  /** A line in the middle of a case (a phase finished). */
  note(line: string): void
  caseFinished(summary: string): void
}

/** File descriptors one producer connection costs the broker, and what the broker holds besides. */
const brokerFilesBase = 1000

export async function runScaleSuite(sizes: ScaleSizes, reporter: ScaleReporter): Promise<ScaleResults> {
  const limit = await openFilesLimit()
  const connectionSizes = sizes.connections.filter((count) => fitsOpenFiles(count, limit))
  const connectionsSkipped = sizes.connections
    .filter((count) => !fitsOpenFiles(count, limit))
    .map(
      (count) =>
        `${count} connections: the open-files limit is ${limit?.soft}; raise it (ulimit -n ${count + brokerFilesBase * 2})`,
    )
  const steps = sizes.partitions.length + sizes.topics.length + connectionSizes.length + 1
  let step = 0
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`
  const partitions: PartitionsMeasurement[] = []
  for (const count of sizes.partitions) {
    reporter.caseStarted(
      ++step,
      steps,
      `${count} partitions: create, produce and consume ${sizes.partitionMessages} × 100 B`,
    )
    const m = await measurePartitions(
      { partitions: count, messages: sizes.partitionMessages, valueBytes: 100 },
      reporter.progress,
      reporter.note,
    )
    reporter.caseFinished(
      `create ${m.createSeconds.toFixed(2)} s, produce ${Math.round(m.produce.messagesPerSecond)} msg/s, consume ${Math.round(m.consume.messagesPerSecond)} msg/s, RSS ${mb(m.rssIdleBytes)} → ${mb(m.rssCreatedBytes)} → ${mb(m.rssAfterBytes)}`,
    )
    partitions.push(m)
  }
  const topics: TopicsMeasurement[] = []
  for (const count of sizes.topics) {
    reporter.caseStarted(++step, steps, `${count} topics: create, Metadata, restart`)
    const m = await measureTopics(
      {
        topics: count,
        everyTopicRequests: sizes.everyTopicRequests,
        oneTopicRequests: sizes.oneTopicRequests,
      },
      reporter.progress,
      reporter.note,
    )
    reporter.caseFinished(
      `create ${m.createSeconds.toFixed(1)} s, Metadata all p50 ${m.everyTopicMetadata.p50Ms.toFixed(1)} ms, one p50 ${m.oneTopicMetadata.p50Ms.toFixed(2)} ms, restart ${m.restartSeconds.toFixed(1)} s, RSS ${mb(m.rssCreatedBytes)}`,
    )
    topics.push(m)
  }
  const connections: ConnectionsMeasurement[] = []
  for (const count of connectionSizes) {
    reporter.caseStarted(
      ++step,
      steps,
      `${count} producers on their own connections, ${sizes.connectionMessages} × 100 B`,
    )
    const m = await measureConnections(
      { connections: count, messages: sizes.connectionMessages, valueBytes: 100, partitions: 8 },
      reporter.progress,
      reporter.note,
    )
    reporter.caseFinished(
      `connect ${m.connectSeconds.toFixed(2)} s, ${Math.round(m.messagesPerSecond)} msg/s, RSS ${mb(m.rssIdleBytes)} → ${mb(m.rssConnectedBytes)} with ${m.brokerSockets} sockets`,
    )
    connections.push(m)
  }
  reporter.caseStarted(
    ++step,
    steps,
    `a large log read from the start (up to ${(sizes.largeLog.targetBytes / 1e9).toFixed(0)} GB)`,
  )
  const largeLog = await measureLargeLog(sizes.largeLog, reporter.progress, reporter.note)
  reporter.caseFinished(
    'skipped' in largeLog
      ? `skipped: ${largeLog.skipped}`
      : `${(largeLog.measurement.logBytes / 1e9).toFixed(2)} GB read at ${largeLog.measurement.consume.megabytesPerSecond.toFixed(1)} MB/s`,
  )
  return { openFilesLimit: limit, partitions, topics, connections, connectionsSkipped, largeLog }
}

/** Both processes (this one holds the client ends) need a descriptor per connection plus their files. */
function fitsOpenFiles(connections: number, limit: OpenFilesLimit | undefined): boolean {
  if (limit === undefined || limit.soft === 'unlimited') return true
  return connections + brokerFilesBase <= limit.soft
}
