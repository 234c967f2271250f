// CreatePartitions (key 37), v0-v1 (v2, the first flexible, is not needed; v1 only changed the
// throttling semantics).
//   request  = topics [name STRING, count INT32, assignments NULLABLE [broker_ids [INT32]]],
//              timeout_ms INT32, validate_only BOOLEAN
//   response = throttle_time_ms INT32, results [name STRING, error_code INT16, error_message NULLABLE_STRING]
// count is the new total, not the number added; assignments (one entry per new partition) are
// null when the broker should place the replicas.
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export interface CreatePartitionsTopic {
  readonly name: string
  readonly count: number
  readonly assignments: readonly { readonly brokerIds: readonly number[] }[] | null
}

export interface CreatePartitionsRequest {
  readonly topics: readonly CreatePartitionsTopic[]
  readonly timeoutMs: number
  readonly validateOnly: boolean
}

export interface CreatePartitionsResponse {
  readonly throttleTimeMs: number
  readonly results: readonly {
    readonly name: string
    readonly errorCode: number
    readonly errorMessage: string | null
  }[]
}

export const createPartitionsApi: KafkaApi<CreatePartitionsRequest, CreatePartitionsResponse> = {
  name: 'CreatePartitions',
  apiKey: KafkaApiKeys.CreatePartitions,
  versionMin: 0,
  versionMax: 1,
  request: [
    array('topics', '0+', [
      field('name', 'string', '0+'),
      field('count', 'int32', '0+'),
      array('assignments', '0+', [field('brokerIds', { arrayOf: 'int32' }, '0+')], {
        nullable: '0+',
        default: null,
      }),
    ]),
    field('timeoutMs', 'int32', '0+'),
    field('validateOnly', 'bool', '0+'),
  ],
  response: [
    field('throttleTimeMs', 'int32', '0+'),
    array('results', '0+', [
      field('name', 'string', '0+'),
      field('errorCode', 'int16', '0+'),
      field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
    ]),
  ],
}
