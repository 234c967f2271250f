// The broker's group coordinator: the internal topic __consumer_offsets (created at start when
// missing) and one CoordinatorPartition per partition of it. On one broker this broker leads every
// partition, so it coordinates every group; group G lives in partition murmur3(G) % n. Partitions
// load in the background after start; until one is loaded its groups get
// COORDINATOR_LOAD_IN_PROGRESS.
import { randomUUID } from 'node:crypto'
import { type ErrorName, WeirError } from '@weir/protocol'
import type { TopicStore } from '@weir/storage'
import type { Logger } from 'pino'
import type { Cluster } from '../cluster/cluster.js'
import { replicatedGroupLog } from '../cluster/replicated-group-log.js'
import { CoordinatorPartition } from './coordinator-partition.js'
import type { GroupCoordinator } from './group-coordinator.js'
import { type GroupLimits, resolveGroupLimits } from './group-limits.js'
import type { RequestId } from './group-output.js'
import { offsetsPartitionFor, offsetsTopic } from './group-records.js'
import { offsetsTopicConfig } from './offsets-log.js'
import type { GroupApi, ResponseOf } from './response-errors.js'

export interface GroupOptions {
  /** Partitions of __consumer_offsets when it is created (an existing topic keeps its count). */
  readonly offsetsPartitions: number
  /** Segment size of __consumer_offsets: compaction frees disk a whole segment at a time. */
  readonly offsetsSegmentBytes: number
  /** Dead records a partition may hold before it is compacted (and more than its live keys). */
  readonly compactionRecordsMin: number
  readonly limits: GroupLimits
}

export const defaultGroupOptions: GroupOptions = {
  offsetsPartitions: 16,
  offsetsSegmentBytes: 8 * 1024 * 1024,
  compactionRecordsMin: 10_000,
  limits: resolveGroupLimits(),
}

export class GroupService {
  private constructor(
    /** By __consumer_offsets partition; undefined where this broker does not lead (a cluster). */
    private readonly partitions: (CoordinatorPartition | undefined)[],
    private readonly limits: GroupLimits,
  ) {}

  /**
   * Opens (creating when missing) __consumer_offsets and starts loading every partition. In a
   * cluster the topic is replicated and a partition's coordinator runs only where its Raft leader is.
   */
  static async start(
    store: TopicStore,
    options: GroupOptions,
    logger: Logger,
    cluster?: Cluster,
  ): Promise<GroupService> {
    if (cluster !== undefined) return GroupService.inCluster(cluster, options, logger)
    let topic = store.topicNames().includes(offsetsTopic) ? store.topic(offsetsTopic) : undefined
    if (topic === undefined) {
      const config = offsetsTopicConfig(options.offsetsSegmentBytes)
      topic = await store.createTopic(offsetsTopic, options.offsetsPartitions, config)
      logger.info({ partitions: options.offsetsPartitions }, `created ${offsetsTopic}`)
    } else if (topic.partitionCount !== options.offsetsPartitions) {
      logger.warn(
        { partitions: topic.partitionCount, configured: options.offsetsPartitions },
        `${offsetsTopic} keeps its ${topic.partitionCount} partitions (changing the count would move groups)`,
      )
    }
    const coordinator = {
      newMemberId: (clientId: string) => `${clientId || 'member'}-${randomUUID()}`,
      limits: options.limits,
    }
    const partitions: CoordinatorPartition[] = []
    for (let partition = 0; partition < topic.partitionCount; partition++) {
      partitions.push(
        new CoordinatorPartition({
          partition,
          log: topic.partition(partition),
          coordinator,
          compactionRecordsMin: options.compactionRecordsMin,
          logger,
          now: Date.now,
        }),
      )
    }
    for (const partition of partitions) void partition.load()
    return new GroupService(partitions, options.limits)
  }

  /** Coordinators follow leadership of the replicated __consumer_offsets partitions. */
  private static inCluster(cluster: Cluster, options: GroupOptions, logger: Logger): GroupService {
    const service = new GroupService(new Array(options.offsetsPartitions).fill(undefined), options.limits)
    const coordinator = {
      newMemberId: (clientId: string) => `${clientId || 'member'}-${randomUUID()}`,
      limits: options.limits,
    }
    cluster.onControllerLeader(() =>
      cluster.ensureTopic(
        offsetsTopic,
        options.offsetsPartitions,
        offsetsTopicConfig(options.offsetsSegmentBytes),
        3,
      ),
    )
    cluster.onLeadership(offsetsTopic, (partition, replica) => {
      const current = service.partitions[partition]
      if (replica === undefined) {
        service.partitions[partition] = undefined
        void current?.close('NOT_COORDINATOR', `this broker no longer leads __consumer_offsets/${partition}`)
        return
      }
      if (current !== undefined || partition >= service.partitions.length) return
      const hosted = new CoordinatorPartition({
        partition,
        log: replicatedGroupLog(replica),
        coordinator,
        // Compaction's cut of the prefix is replicated (replicatedGroupLog.truncatePrefix).
        compactionRecordsMin: options.compactionRecordsMin,
        logger,
        now: Date.now,
      })
      service.partitions[partition] = hosted
      // Load once everything the log held at election is committed: then it is the group's truth.
      void replica.caughtUp().then(() => hosted.load())
    })
    return service
  }

  /** Resolves once every partition has loaded (or the service closed). */
  get loaded(): Promise<void> {
    return Promise.all(this.all().map((partition) => partition.loaded)).then(() => {})
  }

  get partitionCount(): number {
    return this.partitions.length
  }

  /** The coordinator partition of a group. Errors: NOT_COORDINATOR where this broker does not lead it. */
  partitionOf(groupId: string): CoordinatorPartition {
    const index = offsetsPartitionFor(groupId, this.partitions.length)
    const partition = this.partitions[index]
    if (partition === undefined) {
      throw new WeirError(
        'NOT_COORDINATOR',
        `this broker does not coordinate group ${groupId} (__consumer_offsets/${index} is led elsewhere); find the coordinator again`,
      )
    }
    return partition
  }

  /** Every partition this broker coordinates, for requests that span groups (ListGroups). */
  all(): readonly CoordinatorPartition[] {
    return this.partitions.filter((partition) => partition !== undefined)
  }

  /** See CoordinatorPartition.submit; errors COORDINATOR_LOAD_IN_PROGRESS, BROKER_SHUTTING_DOWN. */
  submit<Api extends GroupApi>(
    groupId: string,
    api: Api,
    input: (coordinator: GroupCoordinator, requestId: RequestId, nowMs: number) => void,
  ): Promise<ResponseOf<Api>> {
    try {
      return this.partitionOf(groupId).submit(api, input)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * How long a JoinGroup or SyncGroup may be held: the longest rebalance timeout among the group's
   * members and the request's own, plus the initial rebalance delay. Added to requestTimeoutMs.
   */
  holdMs(groupId: string, requestRebalanceTimeoutMs: number): number {
    const index = offsetsPartitionFor(groupId, this.partitions.length)
    const group = this.partitions[index]?.groups?.group(groupId)
    let longestMs = requestRebalanceTimeoutMs
    for (const member of group?.members.values() ?? [])
      longestMs = Math.max(longestMs, member.rebalanceTimeoutMs)
    return longestMs + this.limits.initialRebalanceDelayMs
  }

  /** A topic gained partitions: every stable group subscribed to it rebalances. */
  partitionsGrew(topic: string): void {
    for (const partition of this.all())
      partition.run((coordinator, nowMs) => coordinator.partitionsGrew(topic, nowMs))
  }

  /** Stops every partition: answers on their way are sent, held requests get `code`. */
  async close(code: ErrorName = 'BROKER_SHUTTING_DOWN'): Promise<void> {
    const detail = 'the group coordinator is closing'
    await Promise.all(this.all().map((partition) => partition.close(code, detail)))
  }
}
