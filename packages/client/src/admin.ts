// Topic administration: create, grow (createPartitions), list, describe, delete. Each call is one request to any broker;
// a per-topic error from the broker is rebuilt as the WeirError it names. Consumer-group
// administration (list, describe with lag, reset offsets, delete) is in groups/group-admin.ts.
import {
  type AclBinding,
  type AclFilter,
  type BrokerStatus,
  CreatePartitions,
  CreateTopics,
  DeleteTopics,
  DescribeBrokers,
  DrainBroker,
  errorFromWire,
  type PartitionReassignment,
  type PartitionReassignmentSpec,
  type TopicConfig,
  type TopicResult,
} from '@weir/protocol'
import { type AclBindingInput, createAcls, deleteAcls, describeAcls } from './acl-admin.js'
import { type AddBrokerOptions, addBroker, removeBroker } from './broker-admin.js'
import type { Cluster } from './cluster.js'
import {
  deleteGroup,
  describeGroup,
  type GroupDescription,
  type GroupPartitionOffset,
  type ListedGroupSummary,
  listGroups,
  type OffsetResetSpec,
  resetOffsets,
  setOffsets,
} from './groups/group-admin.js'
import {
  listReassignments,
  type ReassignPartitionsOptions,
  reassignPartitions,
} from './reassignment-admin.js'
import {
  fetchTopicOffsets,
  fetchTopicOffsetsByTimestamp,
  type PartitionOffsetAt,
  type TopicPartitionOffsets,
} from './topic-offsets.js'
import {
  type CreateUserOptions,
  createUser,
  deleteUser,
  listUsers,
  type UserDescription,
} from './user-admin.js'

export interface CreateTopicOptions {
  readonly topic: string
  /** Default 1. */
  readonly partitions?: number
  /** Default 1. A cluster (brokers started with --peers) holds up to one replica per broker. */
  readonly replicationFactor?: number
  readonly config?: TopicConfig
}

export interface CreatePartitionsOptions {
  readonly topic: string
  /** The new total partition count; must be above the current one. */
  readonly count: number
}

export interface PartitionDescription {
  readonly partition: number
  readonly leader: number
  readonly replicas: readonly number[]
  /** In-sync replicas (the leader and the followers caught up within the lag window); absent when the broker does not know. */
  readonly isr?: readonly number[]
  readonly logStartOffset: number
  readonly highWatermark: number
}

export interface TopicDescription {
  readonly topic: string
  readonly config: TopicConfig
  readonly partitions: readonly PartitionDescription[]
}

export interface ClusterDescription {
  /** -1 while no controller is elected (a single broker is its own controller). */
  readonly controllerId: number
  readonly brokers: readonly { readonly id: number; readonly host: string; readonly port: number }[]
}

export class Admin {
  constructor(
    private readonly cluster: Cluster,
    private readonly assertOpen: () => void,
  ) {}

  async createTopic(options: CreateTopicOptions): Promise<void> {
    await this.createTopics([options])
  }

  /** Creates several topics in one request; the first failure is thrown after all were tried. */
  async createTopics(topics: readonly CreateTopicOptions[]): Promise<void> {
    this.assertOpen()
    const response = await this.cluster.request(CreateTopics, {
      topics: topics.map((topic) => ({
        name: topic.topic,
        partitions: topic.partitions ?? 1,
        replicationFactor: topic.replicationFactor ?? 1,
        config: topic.config ?? {},
      })),
    })
    for (const topic of topics) this.cluster.invalidate(topic.topic)
    throwFirstError(response.topics)
  }

  /**
   * Grows a topic to `count` partitions (Kafka's createPartitions: the new total, growth only;
   * INVALID_CONFIG otherwise). Groups subscribed to the topic rebalance so the new partitions get
   * owners. This client's cached metadata for the topic is dropped, so its producers and consumers
   * see the new count at once (other clients within metadataMaxAgeMs). Keyed records go to
   * murmur3(key) % count, as in Kafka: after growth most keys land on a different partition.
   */
  async createPartitions(options: CreatePartitionsOptions): Promise<void> {
    this.assertOpen()
    const response = await this.cluster.request(CreatePartitions, {
      topics: [{ name: options.topic, count: options.count }],
    })
    this.cluster.invalidate(options.topic)
    throwFirstError(response.topics)
  }

  /**
   * Moves partitions to new replica sets (first the preferred leader), adding and removing one
   * replica at a time through Raft while writes go on. Resolves once the targets are committed;
   * follow the copy with listReassignments. A new target replaces a running one. Needs Cluster:Alter.
   */
  async reassignPartitions(
    reassignments: readonly PartitionReassignmentSpec[],
    options: ReassignPartitionsOptions = {},
  ): Promise<void> {
    this.assertOpen()
    return reassignPartitions(this.cluster, reassignments, options)
  }

  /** Running reassignments with each adding replica's progress (of `topics` only, when given). Needs Cluster:Describe. */
  async listReassignments(topics?: readonly string[]): Promise<PartitionReassignment[]> {
    this.assertOpen()
    return listReassignments(this.cluster, topics)
  }

  async deleteTopic(topic: string): Promise<void> {
    this.assertOpen()
    const response = await this.cluster.request(DeleteTopics, { topics: [topic] })
    this.cluster.invalidate(topic)
    throwFirstError(response.topics)
  }

  /** The brokers of the cluster (from --peers; one for a single broker) and the controller. */
  async describeCluster(): Promise<ClusterDescription> {
    this.assertOpen()
    const response = await this.cluster.metadata([])
    const brokers = [...response.brokers].sort((a, b) => a.id - b.id)
    return { controllerId: response.controllerId, brokers }
  }

  /** Names of every topic, sorted. */
  async listTopics(): Promise<string[]> {
    this.assertOpen()
    const response = await this.cluster.metadata(null)
    return response.topics
      .filter((topic) => topic.errorCode === 0)
      .map((topic) => topic.name)
      .sort()
  }

  /** Partitions with leaders and offsets, fresh from the broker; UNKNOWN_TOPIC when absent. */
  async describeTopic(topic: string): Promise<TopicDescription> {
    this.assertOpen()
    const metadata = await this.cluster.topic(topic, { refresh: true })
    return {
      topic: metadata.name,
      config: metadata.config,
      partitions: [...metadata.partitions]
        .sort((a, b) => a.partition - b.partition)
        .map((partition) => {
          if (partition.errorCode !== 0) throw errorFromWire(partition.errorCode, partition.errorMessage)
          return {
            partition: partition.partition,
            leader: partition.leader,
            replicas: partition.replicas,
            ...(partition.isr === undefined ? {} : { isr: partition.isr }),
            logStartOffset: partition.logStartOffset,
            highWatermark: partition.highWatermark,
          }
        }),
    }
  }

  /** Per partition, sorted: the log start (`low`) and end (`high`) offsets, from each leader (as KafkaJS's). */
  async fetchTopicOffsets(topic: string): Promise<TopicPartitionOffsets[]> {
    this.assertOpen()
    return fetchTopicOffsets(this.cluster, topic)
  }

  /**
   * KafkaJS's fetchTopicOffsetsByTimestamp: per partition of `topic`, sorted, the first offset whose
   * record is at or after `timestamp` (ms since the epoch), or the log end when none is that new.
   * Offsets are numbers (KafkaJS: strings). UNKNOWN_TOPIC when absent, INVALID_CONFIG for a bad time.
   */
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<PartitionOffsetAt[]> {
    this.assertOpen()
    return fetchTopicOffsetsByTimestamp(this.cluster, topic, timestamp)
  }

  /** Every consumer group the cluster coordinates, sorted by id. */
  async listGroups(): Promise<ListedGroupSummary[]> {
    this.assertOpen()
    return listGroups(this.cluster)
  }

  /** State, members with their assignments, and per partition the committed offset, log end
   *  offset and lag. An unknown group is state 'dead' with no members. */
  async describeGroup(groupId: string): Promise<GroupDescription> {
    this.assertOpen()
    return describeGroup(this.cluster, groupId)
  }

  /**
   * Moves the group's committed offsets for every partition of `topic` to the log start
   * ('earliest'), the log end ('latest') or the first record at or after a time (ms since the
   * epoch; the log end when nothing is that new). Only for a group with no live members:
   * NON_EMPTY_GROUP otherwise. Resolves with the offsets committed.
   */
  async resetOffsets(groupId: string, topic: string, to: OffsetResetSpec): Promise<GroupPartitionOffset[]> {
    this.assertOpen()
    return resetOffsets(this.cluster, groupId, topic, to)
  }

  /** Commits these offsets of `topic` for a group with no live members (NON_EMPTY_GROUP otherwise), as given. */
  async setOffsets(
    groupId: string,
    topic: string,
    offsets: readonly { readonly partition: number; readonly offset: number }[],
  ): Promise<GroupPartitionOffset[]> {
    this.assertOpen()
    return setOffsets(this.cluster, groupId, topic, offsets)
  }

  /** Deletes an empty group and its offsets: NON_EMPTY_GROUP with members, GROUP_ID_NOT_FOUND when unknown. */
  async deleteGroup(groupId: string): Promise<void> {
    this.assertOpen()
    return deleteGroup(this.cluster, groupId)
  }

  /** Adds ACL bindings (host '*', permission 'allow', patternType 'literal' unless given). Needs Cluster:Alter. */
  async createAcls(bindings: readonly AclBindingInput[]): Promise<void> {
    this.assertOpen()
    return createAcls(this.cluster, bindings)
  }

  /** Removes the bindings any filter selects (absent fields match any value); resolves with them. Needs Cluster:Alter. */
  async deleteAcls(filters: readonly AclFilter[]): Promise<AclBinding[]> {
    this.assertOpen()
    return deleteAcls(this.cluster, filters)
  }

  /** The bindings the filter selects, every one for `{}`. Needs Cluster:Describe. */
  async describeAcls(filter: AclFilter = {}): Promise<AclBinding[]> {
    this.assertOpen()
    return describeAcls(this.cluster, filter)
  }

  /**
   * Creates a SCRAM user, or sets a new password for an existing one. Only a salted hash leaves
   * this process. Takes effect on every broker without a restart.
   */
  async createUser(options: CreateUserOptions): Promise<void> {
    this.assertOpen()
    return createUser(this.cluster, options)
  }

  /** Deletes a user (every mechanism); resolves with false when there was no such user. */
  async deleteUser(username: string): Promise<boolean> {
    this.assertOpen()
    return deleteUser(this.cluster, username)
  }

  /** Users with their mechanisms, sorted by name (never a credential). */
  async listUsers(): Promise<UserDescription[]> {
    this.assertOpen()
    return listUsers(this.cluster)
  }

  /**
   * Every broker by id, as the broker asked sees them: state (`alive`, `catching-up` with
   * `progressPercent`, `draining`, or `down` after 3 s without a heartbeat), and ms since its last
   * heartbeat (0 for the broker asked, -1 never). Needs Cluster:Describe when ACLs are on.
   */
  async describeBrokers(): Promise<BrokerStatus[]> {
    this.assertOpen()
    const response = await this.cluster.request(DescribeBrokers, {})
    return [...response.brokers].sort((a, b) => a.id - b.id)
  }

  /**
   * Marks a broker draining: it hands every partition it leads (and the controller) to other
   * brokers and is given none back, until undrainBroker; it keeps its replicas and restarts keep
   * the mark. Resolves once the mark is committed, not once leaders moved: follow that with
   * describeTopic (or `weir broker drain`). INVALID_CONFIG for a broker not in the cluster.
   * Needs Cluster:Alter.
   */
  async drainBroker(brokerId: number): Promise<void> {
    this.assertOpen()
    await this.cluster.request(DrainBroker, { brokerId, draining: true })
  }

  /** Ends a drain: the preferred-leader handback (every 5 s) then returns the broker's partitions. */
  async undrainBroker(brokerId: number): Promise<void> {
    this.assertOpen()
    await this.cluster.request(DrainBroker, { brokerId, draining: false })
  }

  /**
   * Adds a broker to the cluster: its addresses go into the controller log and it becomes a
   * controller voter. Start it first with --id and --peers listing every broker, itself included.
   * It holds no replicas until a reassignment or `rebalance` moves some there. Needs Cluster:Alter.
   */
  async addBroker(options: AddBrokerOptions): Promise<void> {
    this.assertOpen()
    return addBroker(this.cluster, options)
  }

  /**
   * Removes a broker that holds no replicas (BROKER_NOT_EMPTY otherwise, naming the partitions):
   * it stops being a controller voter, and every broker forgets it. Needs Cluster:Alter.
   */
  async removeBroker(id: number): Promise<void> {
    this.assertOpen()
    return removeBroker(this.cluster, id)
  }
}

function throwFirstError(results: readonly TopicResult[]): void {
  const failed = results.find((result) => result.errorCode !== 0)
  if (failed === undefined) return
  const error = errorFromWire(failed.errorCode, failed.errorMessage)
  if (!failed.errorMessage) error.message = `topic ${failed.name}: ${error.message}`
  throw error
}
