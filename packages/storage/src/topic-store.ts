// A data directory of topics: what a broker opens at start-up. Marked by `weir-data.json`, so a
// mistyped --data-dir pointing at someone else's files is refused rather than filled.
import { dirname, join } from 'node:path'
import { WeirError } from '@weir/protocol'
import { allBounded } from './bounded-concurrency.js'
import { checkDataMarker, dataMarkerFileName, dataMarkerText } from './data-marker.js'
import { type FileLock, lockFileName } from './directory-lock.js'
import type { FileIo } from './file-io.js'
import { storageError } from './io-errors.js'
import type { LogConfig } from './log-config.js'
import { resolveStorageEnvironment } from './storage-environment.js'
import { type SyncRoundStats, SyncRounds } from './sync-rounds.js'
import { checkTopicName, Topic, type TopicOptions, topicMetaFileName } from './topic.js'

export { dataMarkerFileName }

/**
 * Topics opened at once by TopicStore.open; each opens up to partitionOpensInFlightMax partitions
 * at once, so at most 8 × 32 partition logs are half-open together.
 */
export const topicOpensInFlightMax = 8

export class TopicStore {
  private constructor(
    readonly dataDirectory: string,
    private readonly io: FileIo,
    private readonly options: TopicOptions,
    private readonly open: Map<string, Topic>,
    private readonly lock: FileLock,
  ) {}

  /**
   * Opens (or initialises) a data directory and every topic in it. `options` is the environment
   * (io, clock, timers, random: Node's by default) that reaches every topic and log.
   * Errors: NOT_A_WEIR_LOG and the logs'.
   */
  static async open(dataDirectory: string, givenOptions: TopicOptions = {}): Promise<TopicStore> {
    const environment = resolveStorageEnvironment(givenOptions)
    // One disk, one set of fsync rounds: every partition's group commit lines up with the others'.
    const syncRounds = givenOptions.syncRounds ?? new SyncRounds(environment.timers)
    const options: TopicOptions = { ...givenOptions, ...environment, syncRounds }
    const { io } = environment
    const names = (await io.exists(dataDirectory)) ? await io.readdir(dataDirectory) : []
    const foreign = names.filter((name) => !isLockFileName(name))
    if (foreign.length > 0 && !names.includes(dataMarkerFileName)) {
      throw new WeirError(
        'NOT_A_WEIR_LOG',
        `${dataDirectory} is not empty (${foreign.slice(0, 3).join(', ')}) and has no ${dataMarkerFileName}; give the broker an empty or a Weir data directory`,
      )
    }
    // Locked before anything is written: two brokers racing on a fresh directory must not both
    // initialise it.
    const lock = await lockDataDirectory(io, dataDirectory)
    const topics = new Map<string, Topic>()
    try {
      await initialiseOrCheckMarker(io, dataDirectory)
      // Opened together (bounded): one after another, 10,000 topics waited out 10,000 opens' reads
      // and fsyncs in turn. Each topic opens its own partitions together too.
      const opened = await allBounded(
        names.sort(),
        topicOpensInFlightMax,
        async (name) =>
          (await io.exists(join(dataDirectory, name, topicMetaFileName)))
            ? await Topic.open(dataDirectory, name, options)
            : undefined,
        async (topic) => topic?.close(),
      )
      for (const topic of opened) if (topic !== undefined) topics.set(topic.name, topic)
    } catch (error) {
      await lock.release()
      throw error
    }
    return new TopicStore(dataDirectory, io, options, topics, lock)
  }

  /** How the data directory's fsync rounds went (group commit across partitions). */
  syncStats(): SyncRoundStats | undefined {
    return this.options.syncRounds instanceof SyncRounds ? this.options.syncRounds.stats() : undefined
  }

  topicNames(): string[] {
    return [...this.open.keys()]
  }

  /** Errors: UNKNOWN_TOPIC. */
  topic(name: string): Topic {
    const topic = this.open.get(name)
    if (!topic) throw new WeirError('UNKNOWN_TOPIC', `no topic ${name} in ${this.dataDirectory}`)
    return topic
  }

  async createTopic(name: string, partitions: number, config: Partial<LogConfig> = {}): Promise<Topic> {
    checkTopicName(name)
    if (this.open.has(name)) throw new WeirError('TOPIC_ALREADY_EXISTS', `topic ${name} already exists`)
    const topic = await Topic.create(this.dataDirectory, name, { ...this.options, partitions, config })
    this.open.set(name, topic)
    return topic
  }

  /** Grows a topic to `newCount` partitions. Errors: UNKNOWN_TOPIC, INVALID_CONFIG (not a growth). */
  async createPartitions(name: string, newCount: number): Promise<Topic> {
    const topic = this.topic(name)
    await topic.addPartitions(newCount)
    return topic
  }

  /** Closes the topic's logs and removes its directory. Errors: UNKNOWN_TOPIC. */
  async deleteTopic(name: string): Promise<void> {
    const topic = this.topic(name)
    this.open.delete(name)
    await topic.close()
    try {
      // The marker goes first: a crash mid-delete leaves no directory that looks like a topic.
      await this.io.unlink(join(topic.directory, topicMetaFileName))
      await this.io.rmdir(topic.directory)
      await this.io.syncDirectory(this.dataDirectory)
    } catch (error) {
      throw storageError(`deleting topic ${name}`, error)
    }
  }

  async close(): Promise<void> {
    const topics = [...this.open.values()]
    this.open.clear()
    const results = await Promise.allSettled(topics.map((topic) => topic.close()))
    // Released even when a log failed to close: the process is done with the directory.
    await this.lock.release()
    const failure = results.find((result) => result.status === 'rejected')
    if (failure) throw (failure as PromiseRejectedResult).reason
  }
}

/**
 * mkdir -p, then fsyncs the parent of every directory it created: a new directory's entry is only
 * durable once its parent is synced, and a data directory that vanished in a crash would take
 * every fsynced batch with it.
 */
async function makeDirectoryDurably(io: FileIo, directory: string): Promise<void> {
  const created: string[] = []
  let path = directory
  // Bounded by the path's depth: dirname of the root is the root.
  while (!(await io.exists(path))) {
    created.push(path)
    const parent = dirname(path)
    if (parent === path) break
    path = parent
  }
  await io.mkdir(directory)
  for (const made of created.reverse()) await io.syncDirectory(dirname(made))
}

/** The lock file and the transient names its acquisition uses (`weir.lock.<token>.tmp`). */
function isLockFileName(name: string): boolean {
  return name === lockFileName || name.startsWith(`${lockFileName}.`)
}

async function lockDataDirectory(io: FileIo, dataDirectory: string): Promise<FileLock> {
  try {
    await makeDirectoryDurably(io, dataDirectory)
  } catch (error) {
    throw storageError(`initialising data directory ${dataDirectory}`, error)
  }
  try {
    return await io.lock(join(dataDirectory, lockFileName))
  } catch (error) {
    if (error instanceof WeirError) throw error
    throw storageError(`locking data directory ${dataDirectory}`, error)
  }
}

/** Writes the marker into a new directory, or checks the one there. Errors: NOT_A_WEIR_LOG. */
async function initialiseOrCheckMarker(io: FileIo, dataDirectory: string): Promise<void> {
  const path = join(dataDirectory, dataMarkerFileName)
  let bytes: Buffer | undefined
  try {
    bytes = (await io.exists(path)) ? await io.readFile(path) : undefined
    if (bytes === undefined) await io.writeFileAtomic(path, Buffer.from(dataMarkerText))
  } catch (error) {
    throw storageError(`initialising data directory ${dataDirectory}`, error)
  }
  if (bytes !== undefined) checkDataMarker(path, bytes)
}
