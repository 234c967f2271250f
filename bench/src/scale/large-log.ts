// Row 4, a large log read from the start: one partition filled with 1 KiB messages up to the
// row's size (or as much as the free disk space and the fill time allow), the broker restarted
// (its open time for a large log), the segment files dropped from the OS page cache where the
// kernel lets an unprivileged process (`dd iflag=nocache`, i.e. posix_fadvise DONTNEED: no root
// needed, unlike /proc/sys/vm/drop_caches), then one consumer reads everything: MB/s from a
// cold-ish start, with the bytes still cached said next to it.
import { execFile } from 'node:child_process'
import { readdir, stat, statfs } from 'node:fs/promises'
import { tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Client } from '@weir/client'
import { benchTopicName, produceMessages } from '../e2e/produce.js'
import { type Progress, secondsSince } from '../measurement.js'
import { type ConsumeFigures, consumeAll } from './consume-all.js'
import { sampleResidentBytes } from './process-memory.js'
import { scaleRequestTimeoutMs, startScaleBroker } from './scale-broker.js'

const run = promisify(execFile)

export interface LargeLogSpec {
  /** The log size aimed at, in bytes of values. */
  readonly targetBytes: number
  /** Below this the row is refused (not enough free disk space). */
  readonly minimumBytes: number
  /** Free space left untouched beside the log, for everyone else on the disk. */
  readonly reserveBytes: number
  /** The fill stops at this many seconds even short of the target (the suite's time budget). */
  readonly fillSecondsMax: number
  readonly valueBytes: number
}

export interface LargeLogMeasurement {
  readonly logBytes: number
  readonly messages: number
  readonly fillSeconds: number
  readonly fillMegabytesPerSecond: number
  /** Why the log is smaller than the target, if it is. */
  readonly shortBecause?: string
  readonly restartSeconds: number
  readonly memoryBytes: number
  /** Log bytes in the page cache just before the read (fincore), or undefined without fincore. */
  readonly cachedBeforeReadBytes: number | undefined
  readonly consume: ConsumeFigures
  readonly rssPeakBytes: number
  /**
   * The same segment files read by `dd bs=1M` after dropping them from the cache again, once the
   * broker is stopped: what the disk gives one sequential reader, the limit of the consume figure.
   */
  readonly diskColdReadMegabytesPerSecond: number
}

export type LargeLogResult =
  | { readonly measurement: LargeLogMeasurement }
  | { readonly skipped: string; readonly freeBytes: number }

/** Messages produced per fill step; the fill re-checks its time budget between steps. */
const messagesPerFillStep = 100_000

/** Free bytes for an unprivileged user where the broker's data directory goes (os.tmpdir()). */
export async function freeDiskBytes(directory = tmpdir()): Promise<number> {
  const stats = await statfs(directory)
  return stats.bavail * stats.bsize
}

/** The size the row can use: the target, or what the free space allows beside the reserve. */
export function plannedLogBytes(spec: LargeLogSpec, freeBytes: number): number {
  return Math.min(spec.targetBytes, Math.max(0, freeBytes - spec.reserveBytes))
}

export async function measureLargeLog(
  spec: LargeLogSpec,
  progress: Progress,
  say: (line: string) => void,
): Promise<LargeLogResult> {
  const freeBytes = await freeDiskBytes()
  const plannedBytes = plannedLogBytes(spec, freeBytes)
  if (plannedBytes < spec.minimumBytes) {
    const gigabytes = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`
    return {
      skipped:
        `only ${gigabytes(freeBytes)} free in ${tmpdir()}; this row needs ${gigabytes(spec.minimumBytes)} ` +
        `plus ${gigabytes(spec.reserveBytes)} left free: free some space or point TMPDIR elsewhere`,
      freeBytes,
    }
  }
  const broker = await startScaleBroker()
  const client = new Client({
    brokers: [broker.address],
    clientId: 'bench-scale-large-log',
    requestTimeoutMs: scaleRequestTimeoutMs,
  })
  try {
    const topic = benchTopicName('large-log')
    // fsync every second while filling: the fill is set-up, the read is what is measured.
    await client.admin().createTopic({ topic, partitions: 1, replicationFactor: 1, config: { fsync: 1000 } })
    const targetMessages = Math.floor(plannedBytes / spec.valueBytes)
    const fillStarted = performance.now()
    let messages = 0
    while (messages < targetMessages && secondsSince(fillStarted) < spec.fillSecondsMax) {
      const step = Math.min(messagesPerFillStep, targetMessages - messages)
      await produceMessages(client, topic, {
        messages: step,
        valueBytes: spec.valueBytes,
        partitions: 1,
        acks: 'leader',
        windowMessages: 20_000,
      })
      messages += step
      progress(messages, 2 * targetMessages)
    }
    const fillSeconds = secondsSince(fillStarted)
    const logBytes = await segmentBytes(broker.dataDirectory, topic)
    say(
      `filled ${(logBytes / 1e9).toFixed(2)} GB of log in ${fillSeconds.toFixed(0)} s; restarting, dropping the cache`,
    )
    const restartSeconds = await broker.restart()
    await dropFromPageCache(broker.dataDirectory, topic)
    const cachedBeforeReadBytes = await cachedBytes(broker.dataDirectory, topic)
    const sampler = sampleResidentBytes(broker.pid)
    let consume: ConsumeFigures
    try {
      consume = await consumeAll(client, topic, messages, (done) =>
        progress(targetMessages + (done * targetMessages) / messages, 2 * targetMessages),
      )
    } catch (error) {
      await sampler.stop()
      throw error
    }
    const { peakBytes } = await sampler.stop()
    await client.close()
    await broker.stopProcess()
    say('reading the segments with dd from a dropped cache: the disk limit')
    const diskColdReadMegabytesPerSecond = await coldReadMegabytesPerSecond(broker.dataDirectory, topic)
    return {
      measurement: {
        logBytes,
        messages,
        fillSeconds,
        fillMegabytesPerSecond: (messages * spec.valueBytes) / 1e6 / fillSeconds,
        ...(messages < Math.floor(spec.targetBytes / spec.valueBytes)
          ? {
              shortBecause:
                plannedBytes < spec.targetBytes
                  ? `free disk space (${(freeBytes / 1e9).toFixed(1)} GB free, ${(spec.reserveBytes / 1e9).toFixed(0)} GB kept free)`
                  : `fill time budget of ${spec.fillSecondsMax} s`,
            }
          : {}),
        restartSeconds,
        memoryBytes: totalmem(),
        cachedBeforeReadBytes,
        consume,
        rssPeakBytes: peakBytes,
        diskColdReadMegabytesPerSecond,
      },
    }
  } finally {
    await client.close()
    await broker.stop()
  }
}

async function segmentFiles(dataDirectory: string, topic: string): Promise<string[]> {
  const directory = join(dataDirectory, topic, '0')
  return (await readdir(directory))
    .filter((name) => name.endsWith('.log'))
    .map((name) => join(directory, name))
}

async function segmentBytes(dataDirectory: string, topic: string): Promise<number> {
  let bytes = 0
  for (const file of await segmentFiles(dataDirectory, topic)) bytes += (await stat(file)).size
  return bytes
}

/** posix_fadvise(DONTNEED) on every segment through GNU dd; the files are clean after the broker's close. */
async function dropFromPageCache(dataDirectory: string, topic: string): Promise<void> {
  for (const file of await segmentFiles(dataDirectory, topic)) {
    await run('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']).catch(() => undefined)
  }
}

async function coldReadMegabytesPerSecond(dataDirectory: string, topic: string): Promise<number> {
  await dropFromPageCache(dataDirectory, topic)
  const files = await segmentFiles(dataDirectory, topic)
  const started = performance.now()
  for (const file of files) await run('dd', [`if=${file}`, 'of=/dev/null', 'bs=1M', 'status=none'])
  return (await segmentBytes(dataDirectory, topic)) / 1e6 / secondsSince(started)
}

/** Bytes of the segments resident in the page cache (util-linux fincore); undefined without it. */
async function cachedBytes(dataDirectory: string, topic: string): Promise<number | undefined> {
  let bytes = 0
  try {
    for (const file of await segmentFiles(dataDirectory, topic)) {
      const { stdout } = await run('fincore', ['--bytes', '--noheadings', '--raw', '--output', 'RES', file])
      bytes += Number(stdout.trim())
    }
  } catch {
    return undefined
  }
  return bytes
}
