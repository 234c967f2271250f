// The default offset store: OffsetCommit / OffsetFetch to the group's coordinator, which keeps
// them in __consumer_offsets. Commits carry the member's generation and id, so the coordinator
// fences members that lost their partitions.
import { errorFromWire, OffsetCommit, OffsetFetch } from '@weir/protocol'
import type { Cluster } from '../cluster.js'
import {
  CoordinatorClient,
  type CoordinatorRetryOptions,
  coordinatorRetryDefaults,
} from '../groups/coordinator-client.js'
import type { MemberContext } from '../groups/group-membership.js'
import {
  assertCommittable,
  type CommittedOffsets,
  type OffsetStore,
  offsetsByTopic,
  setCommitted,
  type TopicPartitionOffset,
  type TopicPartitions,
} from './offset-store.js'

/** Groups whose coordinator is remembered at once; the least recently added is forgotten past it. */
export const brokerOffsetStoreGroupsMax = 1000

export class BrokerOffsetStore implements OffsetStore {
  private readonly coordinators = new Map<string, CoordinatorClient>()

  constructor(
    private readonly cluster: Cluster,
    private readonly retry: CoordinatorRetryOptions = coordinatorRetryDefaults,
  ) {}

  /** Uses `coordinator` for its group (the membership's, so both find the coordinator once). */
  adopt(coordinator: CoordinatorClient): void {
    this.remember(coordinator.groupId, coordinator)
  }

  async fetch(groupId: string, partitions: readonly TopicPartitions[]): Promise<CommittedOffsets> {
    const response = await this.coordinatorFor(groupId).requestWithRetry(
      OffsetFetch,
      {
        groupId,
        topics: partitions.map((entry) => ({ name: entry.topic, partitions: [...entry.partitions] })),
      },
      'commit',
    )
    const committed: CommittedOffsets = new Map()
    for (const topic of response.topics)
      for (const partition of topic.partitions) {
        if (partition.errorCode !== 0) throw errorFromWire(partition.errorCode, partition.errorMessage)
        if (partition.offset >= 0) setCommitted(committed, topic.name, partition.partition, partition.offset)
      }
    return committed
  }

  async commit(
    groupId: string,
    offsets: readonly TopicPartitionOffset[],
    member: MemberContext | undefined,
  ): Promise<void> {
    offsets.forEach(assertCommittable)
    if (offsets.length === 0) return
    const request = {
      groupId,
      generationId: member?.generationId ?? -1,
      memberId: member?.memberId ?? '',
      topics: offsetsByTopic(offsets).map(({ topic, partitions }) => ({ name: topic, partitions })),
    }
    const response = await this.coordinatorFor(groupId).requestWithRetry(
      OffsetCommit,
      member?.groupInstanceId === undefined
        ? request
        : { ...request, groupInstanceId: member.groupInstanceId },
      'commit',
    )
    for (const topic of response.topics)
      for (const partition of topic.partitions)
        if (partition.errorCode !== 0) {
          const error = errorFromWire(partition.errorCode, partition.errorMessage)
          error.message = `commit of ${topic.name}/${partition.partition}: ${error.message}`
          throw error
        }
  }

  private coordinatorFor(groupId: string): CoordinatorClient {
    return (
      this.coordinators.get(groupId) ??
      this.remember(groupId, new CoordinatorClient(this.cluster, groupId, this.retry))
    )
  }

  private remember(groupId: string, coordinator: CoordinatorClient): CoordinatorClient {
    this.coordinators.delete(groupId)
    this.coordinators.set(groupId, coordinator)
    if (this.coordinators.size > brokerOffsetStoreGroupsMax)
      this.coordinators.delete(this.coordinators.keys().next().value!)
    return coordinator
  }
}
