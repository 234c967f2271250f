// The Kafka listener's dispatch table: Kafka API key → handler. A new Kafka API is a new file in
// handlers/ plus one line in the list below; ApiVersions advertises exactly these (and only the
// versions each handler's API speaks), so a client never picks an API we would not answer.
import { apiVersionsHandlerOf } from './handlers/api-versions.js'
import { kafkaCreatePartitionsHandler } from './handlers/create-partitions.js'
import { kafkaCreateTopicsHandler } from './handlers/create-topics.js'
import { kafkaDeleteGroupsHandler } from './handlers/delete-groups.js'
import { kafkaDeleteTopicsHandler } from './handlers/delete-topics.js'
import { kafkaDescribeConfigsHandler } from './handlers/describe-configs.js'
import { kafkaDescribeGroupsHandler } from './handlers/describe-groups.js'
import { kafkaFetchHandler } from './handlers/fetch.js'
import { kafkaFindCoordinatorHandler } from './handlers/find-coordinator.js'
import { kafkaHeartbeatHandler } from './handlers/heartbeat.js'
import { kafkaInitProducerIdHandler } from './handlers/init-producer-id.js'
import { kafkaJoinGroupHandler } from './handlers/join-group.js'
import { kafkaLeaveGroupHandler } from './handlers/leave-group.js'
import { kafkaListGroupsHandler } from './handlers/list-groups.js'
import { kafkaListOffsetsHandler } from './handlers/list-offsets.js'
import { kafkaMetadataHandler } from './handlers/metadata.js'
import { kafkaOffsetCommitHandler } from './handlers/offset-commit.js'
import { kafkaOffsetFetchHandler } from './handlers/offset-fetch.js'
import { kafkaProduceHandler } from './handlers/produce.js'
import { kafkaSaslAuthenticateHandler } from './handlers/sasl-authenticate.js'
import { kafkaSaslHandshakeHandler } from './handlers/sasl-handshake.js'
import { kafkaSyncGroupHandler } from './handlers/sync-group.js'
import type { AnyKafkaHandler } from './kafka-handler.js'

const handlers: readonly AnyKafkaHandler[] = [
  apiVersionsHandlerOf(() => handlers),
  kafkaMetadataHandler,
  kafkaProduceHandler,
  kafkaFetchHandler,
  kafkaListOffsetsHandler,
  kafkaInitProducerIdHandler,
  kafkaFindCoordinatorHandler,
  kafkaJoinGroupHandler,
  kafkaSyncGroupHandler,
  kafkaHeartbeatHandler,
  kafkaLeaveGroupHandler,
  kafkaOffsetCommitHandler,
  kafkaOffsetFetchHandler,
  kafkaCreateTopicsHandler,
  kafkaDeleteTopicsHandler,
  kafkaDescribeConfigsHandler,
  kafkaSaslHandshakeHandler,
  kafkaSaslAuthenticateHandler,
  kafkaListGroupsHandler,
  kafkaDescribeGroupsHandler,
  kafkaDeleteGroupsHandler,
  kafkaCreatePartitionsHandler,
]

const byKey = new Map<number, AnyKafkaHandler>(handlers.map((handler) => [handler.api.apiKey, handler]))

export function kafkaHandlerFor(apiKey: number): AnyKafkaHandler | undefined {
  return byKey.get(apiKey)
}

/** Every registered handler, in registration order. */
export function kafkaHandlers(): readonly AnyKafkaHandler[] {
  return handlers
}
