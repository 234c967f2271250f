// The broker's group coordinator: one CoordinatorPartition per partition of the internal topic
// __consumer_offsets that this broker leads; group G lives in partition murmur3(G) % n. The
// controller leader creates the topic when missing (replicated like any topic, up to 3 replicas);
// a partition's coordinator runs where its Raft leader is, loads once everything the log held at
// election is committed, and stops when leadership moves. A broker alone leads every partition, so
// it coordinates every group. Until a partition is loaded its groups get COORDINATOR_LOAD_IN_PROGRESS.
import { type ErrorName, randomId, WeirError } from '@weir/protocol'
import type { Logger } from 'pino'
import type { Cluster } from '../cluster/cluster.js'
import { replicatedGroupLog } from '../cluster/replicated-group-log.js'
import type { BrokerEnvironment } from '../environment.js'
import { CoordinatorPartition } from './coordinator-partition.js'
import type { GroupCoordinator } from './group-coordinator.js'
import type { GroupLimits } from './group-limits.js'
import type { GroupOptions } from './group-options.js'
import type { RequestId } from './group-output.js'
import { offsetsPartitionFor, offsetsTopic } from './group-records.js'
import { offsetsTopicConfig } from './offsets-log.js'
import type { GroupApi, ResponseOf } from './response-errors.js'

export { defaultGroupOptions, type GroupOptions } from './group-options.js'

export class GroupService {
  private readonly changed = new Set<() => void>()

  private constructor(
    /** By __consumer_offsets partition; undefined where this broker does not lead it. */
    private readonly partitions: (CoordinatorPartition | undefined)[],
    private readonly limits: GroupLimits,
    private readonly cluster: Cluster,
  ) {}

  /** Coordinators follow leadership of the replicated __consumer_offsets partitions. */
  static start(
    cluster: Cluster,
    options: GroupOptions,
    logger: Logger,
    environment: Pick<BrokerEnvironment, 'clock' | 'timers' | 'random'>,
  ): GroupService {
    const service = new GroupService(
      new Array(options.offsetsPartitions).fill(undefined),
      options.limits,
      cluster,
    )
    const coordinator = {
      newMemberId: (clientId: string) => `${clientId || 'member'}-${randomId(environment.random)}`,
      limits: options.limits,
      partitionsOf: (topic: string) => cluster.image.topic(topic)?.replicas.length,
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
      if (current !== undefined) return
      const hosted = new CoordinatorPartition({
        partition,
        log: replicatedGroupLog(replica),
        coordinator,
        // Compaction's cut of the prefix is replicated (replicatedGroupLog.truncatePrefix).
        compactionRecordsMin: options.compactionRecordsMin,
        logger,
        now: () => environment.clock.now(),
        timers: environment.timers,
      })
      service.partitions[partition] = hosted
      // Load once everything the log held at election is committed: then it is the group's truth.
      void replica
        .caughtUp()
        .then(() => hosted.load())
        .then(() => service.notifyChanged())
    })
    return service
  }

  private notifyChanged(): void {
    for (const listener of [...this.changed]) listener()
  }

  /**
   * Resolves once every __consumer_offsets partition whose preferred leader is this broker is
   * coordinated here and loaded (for a broker alone: every partition), or the service closed.
   */
  get loaded(): Promise<void> {
    const ready = () => {
      const topic = this.cluster.image.topic(offsetsTopic)
      if (this.closed) return true
      if (topic === undefined) return false
      return topic.replicas.every(
        (replicas, partition) => replicas[0] !== this.cluster.selfId || this.partitions[partition]?.isActive,
      )
    }
    return new Promise((resolve) => {
      const check = () => {
        if (!ready()) return
        this.changed.delete(check)
        resolve()
      }
      this.changed.add(check)
      check()
    })
  }

  private closed = false

  /** The partitions of __consumer_offsets: the image's count (a topic keeps the count it was created with). */
  get partitionCount(): number {
    return this.cluster.image.topic(offsetsTopic)?.replicas.length ?? this.partitions.length
  }

  /** The coordinator partition of a group. Errors: NOT_COORDINATOR where this broker does not lead it. */
  partitionOf(groupId: string): CoordinatorPartition {
    const index = offsetsPartitionFor(groupId, this.partitionCount)
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
    const index = offsetsPartitionFor(groupId, this.partitionCount)
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
    this.closed = true
    this.notifyChanged()
    await Promise.all(this.all().map((partition) => partition.close(code, detail)))
  }
}
