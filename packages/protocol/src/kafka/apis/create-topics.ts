// CreateTopics (key 19), v0-v4 (v5, the first flexible, is not needed).
//   request  = topics [name STRING, num_partitions INT32, replication_factor INT16,
//              assignments [partition_index INT32, broker_ids [INT32]],
//              configs [name STRING, value NULLABLE_STRING]], timeout_ms INT32, validate_only BOOLEAN (v1+)
//   response = throttle_time_ms INT32 (v2+), topics [name STRING, error_code INT16,
//              error_message NULLABLE_STRING (v1+)]
// num_partitions and replication_factor are -1 for "the broker default" (v4+) or when assignments are given.
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export interface CreatableTopic {
  readonly name: string
  readonly numPartitions: number
  readonly replicationFactor: number
  readonly assignments: readonly { readonly partitionIndex: number; readonly brokerIds: readonly number[] }[]
  readonly configs: readonly { readonly name: string; readonly value: string | null }[]
}

export interface CreateTopicsRequest {
  readonly topics: readonly CreatableTopic[]
  readonly timeoutMs: number
  readonly validateOnly: boolean
}

export interface CreateTopicsResponse {
  readonly throttleTimeMs?: number
  readonly topics: readonly {
    readonly name: string
    readonly errorCode: number
    readonly errorMessage?: string | null
  }[]
}

export const createTopicsApi: KafkaApi<CreateTopicsRequest, CreateTopicsResponse> = {
  name: 'CreateTopics',
  apiKey: KafkaApiKeys.CreateTopics,
  versionMin: 0,
  versionMax: 4,
  request: [
    array('topics', '0+', [
      field('name', 'string', '0+'),
      field('numPartitions', 'int32', '0+'),
      field('replicationFactor', 'int16', '0+'),
      array('assignments', '0+', [
        field('partitionIndex', 'int32', '0+'),
        field('brokerIds', { arrayOf: 'int32' }, '0+'),
      ]),
      array('configs', '0+', [
        field('name', 'string', '0+'),
        field('value', 'string', '0+', { nullable: '0+' }),
      ]),
    ]),
    field('timeoutMs', 'int32', '0+', { default: 60_000 }),
    field('validateOnly', 'bool', '1+'),
  ],
  response: [
    field('throttleTimeMs', 'int32', '2+'),
    array('topics', '0+', [
      field('name', 'string', '0+'),
      field('errorCode', 'int16', '0+'),
      field('errorMessage', 'string', '1+', { nullable: '0+', default: null }),
    ]),
  ],
}
