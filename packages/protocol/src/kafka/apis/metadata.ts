// Metadata (key 3), v0-v9; v9 is flexible (librdkafka 2.x and KafkaJS 2.x both negotiate it down).
//   request  = topics [name STRING] (null = all topics from v1; empty = all topics in v0),
//              allow_auto_topic_creation BOOLEAN (v4+), include_cluster_authorized_operations
//              BOOLEAN (v8+), include_topic_authorized_operations BOOLEAN (v8+)
//   response = throttle_time_ms INT32 (v3+), brokers [node_id INT32, host STRING, port INT32,
//              rack NULLABLE_STRING (v1+)], cluster_id NULLABLE_STRING (v2+), controller_id INT32 (v1+),
//              topics [error_code INT16, name STRING, is_internal BOOLEAN (v1+), partitions
//              [error_code INT16, partition_index INT32, leader_id INT32, leader_epoch INT32 (v7+),
//              replica_nodes [INT32], isr_nodes [INT32], offline_replicas [INT32] (v5+)],
//              topic_authorized_operations INT32 (v8+)], cluster_authorized_operations INT32 (v8+)
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

/** The authorized-operations value that means "not asked for". */
export const authorizedOperationsOmitted = -2147483648

export interface MetadataRequest {
  /** null: every topic (v1+); in v0 an empty list means every topic. */
  readonly topics: readonly { readonly name: string }[] | null
  readonly allowAutoTopicCreation: boolean
  readonly includeClusterAuthorizedOperations: boolean
  readonly includeTopicAuthorizedOperations: boolean
}

export interface MetadataBroker {
  readonly nodeId: number
  readonly host: string
  readonly port: number
  readonly rack?: string | null
}

export interface MetadataPartition {
  readonly errorCode: number
  readonly partitionIndex: number
  readonly leaderId: number
  readonly leaderEpoch?: number
  readonly replicaNodes: readonly number[]
  readonly isrNodes: readonly number[]
  readonly offlineReplicas?: readonly number[]
}

export interface MetadataTopic {
  readonly errorCode: number
  readonly name: string
  readonly isInternal?: boolean
  readonly partitions: readonly MetadataPartition[]
  readonly topicAuthorizedOperations?: number
}

export interface MetadataResponse {
  readonly throttleTimeMs?: number
  readonly brokers: readonly MetadataBroker[]
  readonly clusterId?: string | null
  readonly controllerId?: number
  readonly topics: readonly MetadataTopic[]
  readonly clusterAuthorizedOperations?: number
}

export const metadataApi: KafkaApi<MetadataRequest, MetadataResponse> = {
  name: 'Metadata',
  apiKey: KafkaApiKeys.Metadata,
  versionMin: 0,
  versionMax: 9,
  flexibleFrom: 9,
  request: [
    array('topics', '0+', [field('name', 'string', '0+')], { nullable: '1+' }),
    field('allowAutoTopicCreation', 'bool', '4+', { default: true }),
    field('includeClusterAuthorizedOperations', 'bool', '8+'),
    field('includeTopicAuthorizedOperations', 'bool', '8+'),
  ],
  response: [
    field('throttleTimeMs', 'int32', '3+'),
    array('brokers', '0+', [
      field('nodeId', 'int32', '0+'),
      field('host', 'string', '0+'),
      field('port', 'int32', '0+'),
      field('rack', 'string', '1+', { nullable: '1+', default: null }),
    ]),
    field('clusterId', 'string', '2+', { nullable: '2+', default: null }),
    field('controllerId', 'int32', '1+', { default: -1 }),
    array('topics', '0+', [
      field('errorCode', 'int16', '0+'),
      field('name', 'string', '0+'),
      field('isInternal', 'bool', '1+'),
      array('partitions', '0+', [
        field('errorCode', 'int16', '0+'),
        field('partitionIndex', 'int32', '0+'),
        field('leaderId', 'int32', '0+'),
        field('leaderEpoch', 'int32', '7+', { default: -1 }),
        field('replicaNodes', { arrayOf: 'int32' }, '0+'),
        field('isrNodes', { arrayOf: 'int32' }, '0+'),
        field('offlineReplicas', { arrayOf: 'int32' }, '5+'),
      ]),
      field('topicAuthorizedOperations', 'int32', '8+', { default: authorizedOperationsOmitted }),
    ]),
    field('clusterAuthorizedOperations', 'int32', '8+', { default: authorizedOperationsOmitted }),
  ],
}
