// Every API this build speaks, by key, so the broker can dispatch and ApiVersions can answer.
import type { ApiDefinition } from './api.js'
import { ApiVersions } from './api-versions.js'
import { BrokerHeartbeat } from './broker-heartbeat.js'
import { AddBroker, RemoveBroker } from './broker-membership.js'
import { ConsumerGroupHeartbeat } from './consumer-group-heartbeat.js'
import { ControllerPropose } from './controller-propose.js'
import { CreateAcls } from './create-acls.js'
import { CreatePartitions } from './create-partitions.js'
import { CreateTopics } from './create-topics.js'
import { DeleteAcls } from './delete-acls.js'
import { DeleteGroups } from './delete-groups.js'
import { DeleteTopics } from './delete-topics.js'
import { DescribeAcls } from './describe-acls.js'
import { DescribeBrokers } from './describe-brokers.js'
import { DescribeGroups } from './describe-groups.js'
import { DrainBroker } from './drain-broker.js'
import { Fetch } from './fetch.js'
import { FindCoordinator } from './find-coordinator.js'
import { Heartbeat } from './heartbeat.js'
import { InitProducerId } from './init-producer-id.js'
import { JoinGroup } from './join-group.js'
import { LeaveGroup } from './leave-group.js'
import { ListGroups } from './list-groups.js'
import { ListOffsets } from './list-offsets.js'
import { Metadata } from './metadata.js'
import { OffsetCommit } from './offset-commit.js'
import { OffsetFetch } from './offset-fetch.js'
import { AlterPartitionReassignments, ListPartitionReassignments } from './partition-reassignments.js'
import { PeerHello } from './peer-hello.js'
import { PeerProof } from './peer-proof.js'
import { Produce } from './produce.js'
import { RaftMessages } from './raft-messages.js'
import { SaslAuthenticate } from './sasl-authenticate.js'
import { SaslHandshake } from './sasl-handshake.js'
import { SyncGroup } from './sync-group.js'
import { DeleteUser, ListUsers, SetUserCredential } from './user-credentials.js'

export const apiDefinitions: readonly ApiDefinition<unknown, unknown>[] = [
  ApiVersions,
  Metadata,
  CreateTopics,
  DeleteTopics,
  Produce,
  Fetch,
  ListOffsets,
  CreatePartitions,
  InitProducerId,
  FindCoordinator,
  JoinGroup,
  SyncGroup,
  Heartbeat,
  LeaveGroup,
  OffsetCommit,
  OffsetFetch,
  ListGroups,
  DescribeGroups,
  DeleteGroups,
  DrainBroker,
  AddBroker,
  RemoveBroker,
  RaftMessages,
  ControllerPropose,
  PeerHello,
  PeerProof,
  CreateAcls,
  DeleteAcls,
  DescribeAcls,
  ConsumerGroupHeartbeat,
  SaslHandshake,
  SaslAuthenticate,
  SetUserCredential,
  DeleteUser,
  ListUsers,
  DescribeBrokers,
  BrokerHeartbeat,
  AlterPartitionReassignments,
  ListPartitionReassignments,
] as ApiDefinition<unknown, unknown>[]

const byKey = new Map(apiDefinitions.map((api) => [api.apiKey, api]))

export function apiByKey(apiKey: number): ApiDefinition<unknown, unknown> | undefined {
  return byKey.get(apiKey)
}

export * from './api.js'
export * from './api-versions.js'
export * from './broker-heartbeat.js'
export * from './broker-membership.js'
export * from './consumer-group-heartbeat.js'
export * from './controller-propose.js'
export * from './create-acls.js'
export * from './create-partitions.js'
export * from './create-topics.js'
export * from './delete-acls.js'
export * from './delete-groups.js'
export * from './delete-topics.js'
export * from './describe-acls.js'
export * from './describe-brokers.js'
export * from './describe-groups.js'
export * from './drain-broker.js'
export * from './fetch.js'
export * from './find-coordinator.js'
export {
  type GroupState,
  GroupStates,
  groupIdLengthMax,
  isGroupState,
  type TopicPartitionNumbers,
} from './group-fields.js'
export * from './heartbeat.js'
export * from './init-producer-id.js'
export * from './join-group.js'
export * from './leave-group.js'
export * from './list-groups.js'
export * from './list-offsets.js'
export * from './metadata.js'
export * from './offset-commit.js'
export * from './offset-fetch.js'
export * from './partition-reassignments.js'
export * from './peer-hello.js'
export * from './peer-proof.js'
export * from './produce.js'
export * from './raft-messages.js'
export * from './sasl-authenticate.js'
export * from './sasl-handshake.js'
export * from './sync-group.js'
export * from './user-credentials.js'
