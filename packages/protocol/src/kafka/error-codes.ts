// The Kafka error codes the Kafka listener answers with, and the one mapping from Weir's error
// table to them. `retriable` is Kafka's own classification (the RetriableException subclasses):
// Kafka clients retry on those codes by themselves, and only on those.
import type { ErrorName } from '../error-codes.js'

export interface KafkaErrorEntry {
  readonly code: number
  readonly retriable: boolean
}

export const KafkaErrorCodes = {
  UNKNOWN_SERVER_ERROR: { code: -1, retriable: false },
  NONE: { code: 0, retriable: false },
  OFFSET_OUT_OF_RANGE: { code: 1, retriable: false },
  CORRUPT_MESSAGE: { code: 2, retriable: true },
  UNKNOWN_TOPIC_OR_PARTITION: { code: 3, retriable: true },
  LEADER_NOT_AVAILABLE: { code: 5, retriable: true },
  NOT_LEADER_OR_FOLLOWER: { code: 6, retriable: true },
  REQUEST_TIMED_OUT: { code: 7, retriable: true },
  MESSAGE_TOO_LARGE: { code: 10, retriable: false },
  NETWORK_EXCEPTION: { code: 13, retriable: true },
  COORDINATOR_LOAD_IN_PROGRESS: { code: 14, retriable: true },
  COORDINATOR_NOT_AVAILABLE: { code: 15, retriable: true },
  NOT_COORDINATOR: { code: 16, retriable: true },
  INVALID_TOPIC_EXCEPTION: { code: 17, retriable: false },
  NOT_ENOUGH_REPLICAS: { code: 19, retriable: true },
  INVALID_REQUIRED_ACKS: { code: 21, retriable: false },
  ILLEGAL_GENERATION: { code: 22, retriable: false },
  INCONSISTENT_GROUP_PROTOCOL: { code: 23, retriable: false },
  INVALID_GROUP_ID: { code: 24, retriable: false },
  UNKNOWN_MEMBER_ID: { code: 25, retriable: false },
  INVALID_SESSION_TIMEOUT: { code: 26, retriable: false },
  REBALANCE_IN_PROGRESS: { code: 27, retriable: false },
  TOPIC_AUTHORIZATION_FAILED: { code: 29, retriable: false },
  GROUP_AUTHORIZATION_FAILED: { code: 30, retriable: false },
  CLUSTER_AUTHORIZATION_FAILED: { code: 31, retriable: false },
  INVALID_TIMESTAMP: { code: 32, retriable: false },
  UNSUPPORTED_SASL_MECHANISM: { code: 33, retriable: false },
  ILLEGAL_SASL_STATE: { code: 34, retriable: false },
  UNSUPPORTED_VERSION: { code: 35, retriable: false },
  TOPIC_ALREADY_EXISTS: { code: 36, retriable: false },
  INVALID_PARTITIONS: { code: 37, retriable: false },
  INVALID_REPLICATION_FACTOR: { code: 38, retriable: false },
  INVALID_REPLICA_ASSIGNMENT: { code: 39, retriable: false },
  INVALID_CONFIG: { code: 40, retriable: false },
  NOT_CONTROLLER: { code: 41, retriable: true },
  INVALID_REQUEST: { code: 42, retriable: false },
  POLICY_VIOLATION: { code: 44, retriable: false },
  OUT_OF_ORDER_SEQUENCE_NUMBER: { code: 45, retriable: false },
  DUPLICATE_SEQUENCE_NUMBER: { code: 46, retriable: false },
  INVALID_PRODUCER_EPOCH: { code: 47, retriable: false },
  KAFKA_STORAGE_ERROR: { code: 56, retriable: true },
  SASL_AUTHENTICATION_FAILED: { code: 58, retriable: false },
  UNKNOWN_PRODUCER_ID: { code: 59, retriable: false },
  NON_EMPTY_GROUP: { code: 68, retriable: false },
  GROUP_ID_NOT_FOUND: { code: 69, retriable: false },
  UNSUPPORTED_COMPRESSION_TYPE: { code: 76, retriable: false },
  GROUP_MAX_SIZE_REACHED: { code: 81, retriable: false },
  FENCED_INSTANCE_ID: { code: 82, retriable: false },
  MEMBER_ID_REQUIRED: { code: 79, retriable: false },
  INVALID_RECORD: { code: 87, retriable: false },
  FENCED_MEMBER_EPOCH: { code: 110, retriable: false },
} as const satisfies Record<string, KafkaErrorEntry>

export type KafkaErrorName = keyof typeof KafkaErrorCodes

/**
 * The Kafka error a Weir error becomes on the Kafka listener. Typed over every Weir name, so a new
 * Weir code does not compile until someone decides its Kafka meaning. Where Kafka has no exact
 * twin the choice is the code whose client reaction is right (NOT_LEADER_OR_FOLLOWER makes a
 * client refresh metadata and retry elsewhere, which is what a shutting-down broker wants; a
 * reached connection or in-flight limit answers REQUEST_TIMED_OUT, a retriable code every client
 * knows, where Kafka's THROTTLING_QUOTA_EXCEEDED (89) is unknown to KafkaJS).
 */
export const kafkaErrorForWeir = {
  UNKNOWN_SERVER_ERROR: 'UNKNOWN_SERVER_ERROR',
  CORRUPT_MESSAGE: 'CORRUPT_MESSAGE',
  OFFSET_OUT_OF_RANGE: 'OFFSET_OUT_OF_RANGE',
  UNKNOWN_TOPIC: 'UNKNOWN_TOPIC_OR_PARTITION',
  UNKNOWN_PARTITION: 'UNKNOWN_TOPIC_OR_PARTITION',
  NOT_LEADER: 'NOT_LEADER_OR_FOLLOWER',
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  REQUEST_TIMED_OUT: 'REQUEST_TIMED_OUT',
  INVALID_REQUEST: 'INVALID_REQUEST',
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  TOPIC_ALREADY_EXISTS: 'TOPIC_ALREADY_EXISTS',
  INVALID_TOPIC: 'INVALID_TOPIC_EXCEPTION',
  INVALID_CONFIG: 'INVALID_CONFIG',
  REBALANCE_IN_PROGRESS: 'REBALANCE_IN_PROGRESS',
  ILLEGAL_GENERATION: 'ILLEGAL_GENERATION',
  UNKNOWN_MEMBER_ID: 'UNKNOWN_MEMBER_ID',
  UNAUTHORIZED: 'CLUSTER_AUTHORIZATION_FAILED',
  STORAGE_ERROR: 'KAFKA_STORAGE_ERROR',
  DISK_FULL: 'KAFKA_STORAGE_ERROR',
  LOG_CORRUPTED: 'KAFKA_STORAGE_ERROR',
  NOT_A_WEIR_LOG: 'KAFKA_STORAGE_ERROR',
  LOG_CLOSED: 'NOT_LEADER_OR_FOLLOWER',
  UNKNOWN_API: 'UNSUPPORTED_VERSION',
  BROKER_UNAVAILABLE: 'LEADER_NOT_AVAILABLE',
  CONNECTION_CLOSED: 'NETWORK_EXCEPTION',
  BROKER_SHUTTING_DOWN: 'NOT_LEADER_OR_FOLLOWER',
  CLIENT_CLOSED: 'UNKNOWN_SERVER_ERROR',
  LIMIT_EXCEEDED: 'REQUEST_TIMED_OUT',
  NOT_COORDINATOR: 'NOT_COORDINATOR',
  COORDINATOR_LOAD_IN_PROGRESS: 'COORDINATOR_LOAD_IN_PROGRESS',
  FENCED_INSTANCE_ID: 'FENCED_INSTANCE_ID',
  INCONSISTENT_GROUP_PROTOCOL: 'INCONSISTENT_GROUP_PROTOCOL',
  NON_EMPTY_GROUP: 'NON_EMPTY_GROUP',
  INVALID_SESSION_TIMEOUT: 'INVALID_SESSION_TIMEOUT',
  GROUP_MAX_SIZE_REACHED: 'GROUP_MAX_SIZE_REACHED',
  GROUP_ID_NOT_FOUND: 'GROUP_ID_NOT_FOUND',
  OUT_OF_ORDER_SEQUENCE: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
  INVALID_PRODUCER_EPOCH: 'INVALID_PRODUCER_EPOCH',
  INVALID_RECORD: 'INVALID_RECORD',
  MISSING_DEPENDENCY: 'UNKNOWN_SERVER_ERROR',
  CLUSTER_AUTHORIZATION_FAILED: 'CLUSTER_AUTHORIZATION_FAILED',
  SASL_AUTHENTICATION_FAILED: 'SASL_AUTHENTICATION_FAILED',
  ILLEGAL_SASL_STATE: 'ILLEGAL_SASL_STATE',
  UNSUPPORTED_SASL_MECHANISM: 'UNSUPPORTED_SASL_MECHANISM',
  TOPIC_AUTHORIZATION_FAILED: 'TOPIC_AUTHORIZATION_FAILED',
  GROUP_AUTHORIZATION_FAILED: 'GROUP_AUTHORIZATION_FAILED',
  POLICY_VIOLATION: 'POLICY_VIOLATION',
  DATA_DIRECTORY_LOCKED: 'KAFKA_STORAGE_ERROR',
  INVALID_REPLICA_ASSIGNMENT: 'INVALID_REPLICA_ASSIGNMENT',
  NOT_ENOUGH_REPLICAS: 'NOT_ENOUGH_REPLICAS',
  BROKER_NOT_EMPTY: 'INVALID_REQUEST',
  UNKNOWN_BROKER: 'INVALID_REQUEST',
  INVALID_MEMBERSHIP_CHANGE: 'INVALID_REQUEST',
  UNSUPPORTED_COMPRESSION_TYPE: 'UNSUPPORTED_COMPRESSION_TYPE',
  FENCED_MEMBER_EPOCH: 'FENCED_MEMBER_EPOCH',
  INVALID_CONSOLE_REQUEST: 'INVALID_REQUEST',
} as const satisfies Record<ErrorName, KafkaErrorName>

/** The Kafka wire code for a Weir error name. */
export function kafkaErrorCodeOf(name: ErrorName): number {
  return KafkaErrorCodes[kafkaErrorForWeir[name]].code
}
