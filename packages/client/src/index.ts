// @weir/client public face. Internal pieces (Cluster, Connection (from protocol), RecordAccumulator,
// PartitionFetcher, PrefetchBuffer) are exported for tests and the consumer-group work, not as API.

export type {
  AclBinding,
  AclFilter,
  AclOperation,
  AclPatternType,
  AclPermission,
  AclResourceType,
  BrokerState,
  BrokerStatus,
  CompressionName,
  PartitionReassignment,
  PartitionReassignmentSpec,
  ReplicaProgress,
} from '@weir/protocol'
export {
  Connection,
  type ConnectionOptions,
  type Environment,
  ErrorCodes,
  type ErrorName,
  isWeirError,
  nodeEnvironment,
  WeirError,
} from '@weir/protocol'
export type { RecordMetadata } from './accumulator.js'
export { type AclBindingInput, completeBinding } from './acl-admin.js'
export {
  Admin,
  type ClusterDescription,
  type CreateTopicOptions,
  type PartitionDescription,
  type TopicDescription,
} from './admin.js'
export {
  type Assignor,
  type AssignorMember,
  type CooperativePlan,
  cooperativeStickyAssignor,
  type MemberAssignment,
  planCooperativeAssignment,
  rangeAssignor,
  roundRobinAssignor,
} from './assignors/index.js'
export type { AddBrokerOptions } from './broker-admin.js'
export {
  Client,
  /** The same class as Client, under the product's name: `new Weir({ brokers, tls, sasl })`. */
  Client as Weir,
  type ClientOptions,
  type ClientOptions as WeirOptions,
  type ClientTlsOptions,
} from './client.js'
export { type Codec, codecs } from './codecs.js'
export { Consumer, type ConsumerOptions, type PartitionSelector } from './consumer.js'
export {
  type CrashEvent,
  type EachBatchPayload,
  type EachMessagePayload,
  GroupConsumer,
  type GroupConsumerEvents,
  type GroupConsumerOptions,
  type GroupJoinEvent,
  type RebalanceEvent,
  type RebalancingEvent,
  type RunOptions,
} from './group-consumer.js'
export {
  CoordinatorClient,
  type CoordinatorRetryOptions,
} from './groups/coordinator-client.js'
export type {
  GroupDescription,
  GroupMemberDescription,
  GroupOffsetDescription,
  GroupPartitionOffset,
  ListedGroupSummary,
  OffsetResetSpec,
} from './groups/group-admin.js'
export {
  GroupMembership,
  type GroupMembershipOptions,
  type MemberContext,
  type MembershipListener,
  type MembershipState,
} from './groups/group-membership.js'
export type { GroupPartition } from './groups/membership-decisions.js'
export type { TopicPartitionsInput } from './groups/paused-partitions.js'
export type {
  ClientEventName,
  ClientEvents,
  ConnectionEvent,
  Logger,
  LogMethod,
  RequestEvent,
} from './instrumentation.js'
export { kafkaMurmur2, kafkaMurmur2Partition } from './kafka-murmur2.js'
export type { Headers, Key, Message } from './message.js'
export { BrokerOffsetStore } from './offsets/broker-offset-store.js'
export type {
  CommittedOffsets,
  OffsetStore,
  TopicPartitionOffset,
  TopicPartitions as OffsetStorePartitions,
} from './offsets/offset-store.js'
export {
  type RedisOffsetCommands,
  RedisOffsetStore,
  type RedisOffsetStoreOptions,
} from './offsets/redis-offset-store.js'
export type { PartitionOffset, TopicPartition } from './partition-fetcher.js'
export type { PartitionerFunction, PartitionerName, PartitionerOption } from './partitioners.js'
export { Producer, type ProducerOptions, type ProducerRecord, type SentRange } from './producer.js'
export type { ReassignPartitionsOptions } from './reassignment-admin.js'
export {
  type PartitionPlacement,
  type PlannedMove,
  planDecommission,
  planRebalance,
} from './rebalance-plan.js'
export { type SaslMechanism, type SaslOptions, saslMechanisms } from './sasl-login.js'
export { defineTopic, type TopicDescriptor, type TopicRef, type ValueOf } from './topic.js'
export type { PartitionOffsetAt, TopicPartitionOffsets } from './topic-offsets.js'
export type { CreateUserOptions, UserDescription } from './user-admin.js'
