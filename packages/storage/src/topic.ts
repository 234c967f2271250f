// A named topic: N partition logs under `<dataDir>/<topic>/<partition>/` and a `topic.json` that
// records the partition count and config, so reopening needs only the name. The count can only
// grow (addPartitions): new partition directories first, topic.json rewritten atomically last, so
// a crash leaves the old count or the new one. Directories numbered at or past the recorded count
// are leftovers of such a crash: opening ignores them and addPartitions replaces them with empty logs.
import { join } from 'node:path'
import {
  choosePartition,
  encodeRecordBatch,
  type RecordInput,
  StickyPartitioner,
  WeirError,
} from '@weir/protocol'
import { allBounded } from './bounded-concurrency.js'
import type { FileIo } from './file-io.js'
import { storageError } from './io-errors.js'
import { type LogConfig, resolveLogConfig } from './log-config.js'
import type { CorruptionPolicy } from './log-corruption.js'
import {
  type AppendOptions,
  type AppendResult,
  PartitionLog,
  type PartitionLogOptions,
  type ReadResult,
} from './partition-log.js'
import {
  type ResolvedStorageEnvironment,
  resolveStorageEnvironment,
  type StorageEnvironment,
} from './storage-environment.js'
import type { SyncScheduler } from './sync-rounds.js'
import { parseTopicMetadata, partitionCountMax } from './topic-metadata-file.js'

export const topicMetaFileName = 'topic.json'
/**
 * Partition logs of one topic opened or created at once: enough to keep libuv's thread pool (the
 * weir binary sets 16 threads) busy with their fsyncs, few enough that a topic of 10,000
 * partitions never holds thousands of half-open files and recovery buffers at once.
 */
export const partitionOpensInFlightMax = 32

function partitionNumbers(count: number): number[] {
  return Array.from({ length: count }, (_, partition) => partition)
}

export { partitionCountMax }

const topicNamePattern = /^[a-zA-Z0-9._-]{1,249}$/

export interface TopicMetadata {
  readonly name: string
  readonly partitions: number
  /** Only the fields set at creation; defaults fill the rest when opening, so they can improve. */
  readonly config: Partial<LogConfig>
}

/** The environment (io, clock, timers, random) reaches every partition log of the topic. */
export interface TopicOptions extends StorageEnvironment {
  /** @deprecated use `clock`. */
  readonly now?: () => number
  /** fsync rounds shared by every log of the data directory (group commit across partitions). */
  readonly syncRounds?: SyncScheduler
  /** Handed to every partition log (PartitionLogOptions.onCorruption). */
  readonly onCorruption?: CorruptionPolicy
}

export interface CreateTopicOptions extends TopicOptions {
  readonly partitions: number
  readonly config?: Partial<LogConfig>
}

export interface ProducedRecord {
  readonly partition: number
  readonly offset: number
}

/** The options a topic hands down to each of its partition logs (config aside). */
function logOptions(
  environment: ResolvedStorageEnvironment,
  options: TopicOptions,
  config: Partial<LogConfig> | undefined,
): PartitionLogOptions {
  const { io, clock, timers } = environment
  return {
    config,
    io,
    clock,
    timers,
    ...(options.syncRounds ? { syncRounds: options.syncRounds } : {}),
    ...(options.onCorruption ? { onCorruption: options.onCorruption } : {}),
  }
}

export function checkTopicName(name: string): void {
  if (!topicNamePattern.test(name) || name === '.' || name === '..') {
    throw new WeirError('INVALID_TOPIC', `invalid topic name ${JSON.stringify(name)}`)
  }
}

export class Topic {
  private readonly sticky: StickyPartitioner
  /** Serialises addPartitions calls so two growths never write topic.json at once. */
  private growing: Promise<unknown> = Promise.resolve()

  private constructor(
    readonly name: string,
    readonly directory: string,
    readonly config: LogConfig,
    private readonly logs: PartitionLog[],
    private readonly environment: ResolvedStorageEnvironment,
    private readonly storedConfig: Partial<LogConfig>,
    private readonly options: TopicOptions,
  ) {
    this.sticky = new StickyPartitioner(environment.random)
  }

  /** Creates a topic. Errors: INVALID_TOPIC, INVALID_CONFIG, TOPIC_ALREADY_EXISTS. */
  static async create(dataDirectory: string, name: string, options: CreateTopicOptions): Promise<Topic> {
    checkTopicName(name)
    const { partitions } = options
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > partitionCountMax) {
      throw new WeirError(
        'INVALID_CONFIG',
        `partitions must be an integer from 1 to ${partitionCountMax}, got ${partitions}`,
      )
    }
    resolveLogConfig(options.config)
    const environment = resolveStorageEnvironment(options)
    const { io } = environment
    const directory = join(dataDirectory, name)
    if (await io.exists(join(directory, topicMetaFileName))) {
      throw new WeirError('TOPIC_ALREADY_EXISTS', `topic ${name} already exists in ${dataDirectory}`)
    }
    const logOptionsOfTopic = logOptions(environment, options, options.config)
    let logs: PartitionLog[] = []
    try {
      await io.mkdir(directory)
      const metadata: TopicMetadata = { name, partitions, config: options.config ?? {} }
      // The partitions first, the marker last: a crash in between leaves no half-made topic behind
      // a marker. Made together (bounded) and kept open: one by one, with a close and a reopen
      // each, a topic of 1,000 partitions took 10-25 s of fsyncs waited out in turn.
      logs = await allBounded(
        partitionNumbers(partitions),
        partitionOpensInFlightMax,
        (partition) => PartitionLog.open(join(directory, String(partition)), logOptionsOfTopic),
        (log) => log.close(),
      )
      await io.syncDirectory(directory)
      await io.writeFileAtomic(
        join(directory, topicMetaFileName),
        Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`),
      )
      await io.syncDirectory(dataDirectory)
      const config = resolveLogConfig(metadata.config)
      return new Topic(name, directory, config, logs, environment, metadata.config, options)
    } catch (error) {
      await Promise.allSettled(logs.map((log) => log.close()))
      throw storageError(`creating topic ${name} in ${dataDirectory}`, error)
    }
  }

  /** Opens an existing topic and every partition log (recovering each). Errors: UNKNOWN_TOPIC and the log's. */
  static async open(dataDirectory: string, name: string, options: TopicOptions = {}): Promise<Topic> {
    checkTopicName(name)
    const environment = resolveStorageEnvironment(options)
    const { io } = environment
    const directory = join(dataDirectory, name)
    const metadata = await readTopicMetadata(io, directory, name)
    const config = resolveLogConfig(metadata.config)
    const logOptionsOfTopic = logOptions(environment, options, metadata.config)
    // Opened together (bounded): each open waits on its own reads and fsyncs.
    const logs = await allBounded(
      partitionNumbers(metadata.partitions),
      partitionOpensInFlightMax,
      (partition) => PartitionLog.open(join(directory, String(partition)), logOptionsOfTopic),
      (log) => log.close(),
    )
    return new Topic(name, directory, config, logs, environment, metadata.config, options)
  }

  /**
   * Grows the topic to `newCount` partitions, each new log made with the topic's config. Only
   * growth: INVALID_CONFIG naming the current count otherwise. The new partition directories are
   * made durable before topic.json is atomically rewritten with the new count.
   */
  addPartitions(newCount: number): Promise<void> {
    const run = this.growing.then(() => this.grow(newCount))
    this.growing = run.catch(() => undefined)
    return run
  }

  private async grow(newCount: number): Promise<void> {
    const current = this.logs.length
    if (!Number.isInteger(newCount) || newCount <= current || newCount > partitionCountMax) {
      throw new WeirError(
        'INVALID_CONFIG',
        `topic ${this.name} has ${current} partition(s); the new count must be an integer from ${current + 1} to ${partitionCountMax}, got ${newCount}`,
      )
    }
    const { io } = this.environment
    const options = logOptions(this.environment, this.options, this.storedConfig)
    const added: PartitionLog[] = []
    try {
      for (let partition = current; partition < newCount; partition++) {
        const directory = join(this.directory, String(partition))
        // A leftover of a crash mid-growth was never part of the topic: start it empty.
        if (await io.exists(directory)) await io.rmdir(directory)
        added.push(await PartitionLog.open(directory, options))
      }
      await io.syncDirectory(this.directory)
      const metadata: TopicMetadata = { name: this.name, partitions: newCount, config: this.storedConfig }
      await io.writeFileAtomic(
        join(this.directory, topicMetaFileName),
        Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`),
      )
    } catch (error) {
      await Promise.allSettled(added.map((log) => log.close()))
      throw storageError(`adding partitions to topic ${this.name}`, error)
    }
    this.logs.push(...added)
  }

  /**
   * Empties one partition: closes its log, deletes its directory (segments and anything its owner
   * kept beside them) and opens an empty log in its place. For a broker that no longer holds a
   * replica of the partition (a reassignment moved it away). Errors: UNKNOWN_PARTITION, the disk's.
   */
  async emptyPartition(partition: number): Promise<void> {
    await this.partition(partition).close()
    const { io } = this.environment
    const directory = join(this.directory, String(partition))
    try {
      await io.rmdir(directory)
      await io.syncDirectory(this.directory)
      this.logs[partition] = await PartitionLog.open(
        directory,
        logOptions(this.environment, this.options, this.storedConfig),
      )
    } catch (error) {
      throw storageError(`emptying partition ${partition} of topic ${this.name}`, error)
    }
  }

  get partitionCount(): number {
    return this.logs.length
  }

  /** The log of one partition. Errors: UNKNOWN_PARTITION. */
  partition(partition: number): PartitionLog {
    const log = Number.isInteger(partition) ? this.logs[partition] : undefined
    if (!log) {
      throw new WeirError(
        'UNKNOWN_PARTITION',
        `topic ${this.name} has partitions 0 to ${this.logs.length - 1}, not ${partition}`,
      )
    }
    return log
  }

  /** murmur3 of the key for keyed records; the sticky partition for keyless ones. */
  partitionFor(key: string | Uint8Array | null | undefined): number {
    return choosePartition(key, this.logs.length, this.sticky)
  }

  append(partition: number, batch: Buffer, options?: AppendOptions): Promise<AppendResult> {
    return this.partition(partition).append(batch, options)
  }

  read(partition: number, offset: number, maxBytes: number): Promise<ReadResult> {
    return this.partition(partition).read(offset, maxBytes)
  }

  /**
   * Convenience for embedded use and demos: routes each record to its partition, builds one batch
   * per partition, appends them all, and returns where each record landed (in input order).
   */
  async produce(records: readonly RecordInput[], timestamp: number): Promise<ProducedRecord[]> {
    const byPartition = new Map<number, number[]>()
    records.forEach((record, index) => {
      const partition = this.partitionFor(record.key)
      const indexes = byPartition.get(partition) ?? []
      indexes.push(index)
      byPartition.set(partition, indexes)
    })
    if (records.some((record) => record.key == null)) this.sticky.batchSealed(this.logs.length)
    const placed = new Array<ProducedRecord>(records.length)
    await Promise.all(
      [...byPartition].map(async ([partition, indexes]) => {
        const batch = encodeRecordBatch(
          indexes.map((index) => records[index]!),
          { timestamp },
        )
        const { baseOffset } = await this.append(partition, batch)
        indexes.forEach((index, position) => {
          placed[index] = { partition, offset: baseOffset + position }
        })
      }),
    )
    return placed
  }

  async applyRetention(): Promise<number> {
    const results = await Promise.all(this.logs.map((log) => log.applyRetention()))
    return results.reduce((total, result) => total + result.deletedSegments, 0)
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.logs.map((log) => log.close()))
    const failure = results.find((result) => result.status === 'rejected')
    if (failure) throw (failure as PromiseRejectedResult).reason
  }
}

async function readTopicMetadata(io: FileIo, directory: string, name: string): Promise<TopicMetadata> {
  const path = join(directory, topicMetaFileName)
  if (!(await io.exists(path))) throw new WeirError('UNKNOWN_TOPIC', `no topic ${name} (looked for ${path})`)
  return parseTopicMetadata(path, name, await io.readFile(path))
}
