// The dispatch table: API key → handler. A new API is a new file here plus one line below.
import { apiVersionsHandler } from './api-versions.js'
import { brokerHeartbeatHandler } from './broker-heartbeat.js'
import { addBrokerHandler, removeBrokerHandler } from './broker-membership.js'
import { consumerGroupHeartbeatHandler } from './consumer-group-heartbeat.js'
import { controllerProposeHandler } from './controller-propose.js'
import { createAclsHandler } from './create-acls.js'
import { createPartitionsHandler } from './create-partitions.js'
import { createTopicsHandler } from './create-topics.js'
import { deleteAclsHandler } from './delete-acls.js'
import { deleteGroupsHandler } from './delete-groups.js'
import { deleteTopicsHandler } from './delete-topics.js'
import { describeAclsHandler } from './describe-acls.js'
import { describeBrokersHandler } from './describe-brokers.js'
import { describeGroupsHandler } from './describe-groups.js'
import { drainBrokerHandler } from './drain-broker.js'
import { fetchHandler } from './fetch.js'
import { findCoordinatorHandler } from './find-coordinator.js'
import type { Handler } from './handler.js'
import { heartbeatHandler } from './heartbeat.js'
import { initProducerIdHandler } from './init-producer-id.js'
import { joinGroupHandler } from './join-group.js'
import { leaveGroupHandler } from './leave-group.js'
import { listGroupsHandler } from './list-groups.js'
import { listOffsetsHandler } from './list-offsets.js'
import { metadataHandler } from './metadata.js'
import { offsetCommitHandler } from './offset-commit.js'
import { offsetFetchHandler } from './offset-fetch.js'
import {
  alterPartitionReassignmentsHandler,
  listPartitionReassignmentsHandler,
} from './partition-reassignments.js'
import { peerHelloHandler } from './peer-hello.js'
import { peerProofHandler } from './peer-proof.js'
import { produceHandler } from './produce.js'
import { raftMessagesHandler } from './raft-messages.js'
import { saslAuthenticateHandler } from './sasl-authenticate.js'
import { saslHandshakeHandler } from './sasl-handshake.js'
import { syncGroupHandler } from './sync-group.js'
import { deleteUserHandler, listUsersHandler, setUserCredentialHandler } from './user-admin.js'

const handlers = [
  apiVersionsHandler,
  metadataHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  createPartitionsHandler,
  initProducerIdHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  consumerGroupHeartbeatHandler,
  syncGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  listGroupsHandler,
  describeGroupsHandler,
  deleteGroupsHandler,
  drainBrokerHandler,
  addBrokerHandler,
  removeBrokerHandler,
  raftMessagesHandler,
  controllerProposeHandler,
  peerHelloHandler,
  peerProofHandler,
  createAclsHandler,
  deleteAclsHandler,
  describeAclsHandler,
  saslHandshakeHandler,
  saslAuthenticateHandler,
  setUserCredentialHandler,
  deleteUserHandler,
  listUsersHandler,
  describeBrokersHandler,
  brokerHeartbeatHandler,
  alterPartitionReassignmentsHandler,
  listPartitionReassignmentsHandler,
] as unknown as Handler<unknown, unknown>[]

const byKey = new Map(handlers.map((handler) => [handler.api.apiKey, handler]))

export function handlerFor(apiKey: number): Handler<unknown, unknown> | undefined {
  return byKey.get(apiKey)
}

export type { Handler, HandlerContext } from './handler.js'
