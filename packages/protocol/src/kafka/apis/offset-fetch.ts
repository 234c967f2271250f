// OffsetFetch (key 9), v1-v5 (v6, the first flexible, is not needed).
//   request  = group_id STRING, topics [name STRING, partition_indexes [INT32]] (null = all, v2+)
//   response = throttle_time_ms INT32 (v3+), topics [name STRING, partitions [partition_index INT32,
//              committed_offset INT64, committed_leader_epoch INT32 (v5+), metadata NULLABLE_STRING,
//              error_code INT16]], error_code INT16 (v2+)
// A partition without a committed offset answers committed_offset -1 and error 0.
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export interface OffsetFetchRequest {
  readonly groupId: string
  /** null (v2+): every partition the group has committed. */
  readonly topics: readonly { readonly name: string; readonly partitionIndexes: readonly number[] }[] | null
}

export interface OffsetFetchResponse {
  readonly throttleTimeMs?: number
  readonly topics: readonly {
    readonly name: string
    readonly partitions: readonly {
      readonly partitionIndex: number
      readonly committedOffset: number
      readonly committedLeaderEpoch?: number
      readonly metadata: string | null
      readonly errorCode: number
    }[]
  }[]
  readonly errorCode?: number
}

export const offsetFetchApi: KafkaApi<OffsetFetchRequest, OffsetFetchResponse> = {
  name: 'OffsetFetch',
  apiKey: KafkaApiKeys.OffsetFetch,
  versionMin: 1,
  versionMax: 5,
  request: [
    field('groupId', 'string', '0+'),
    array(
      'topics',
      '0+',
      [field('name', 'string', '0+'), field('partitionIndexes', { arrayOf: 'int32' }, '0+')],
      {
        nullable: '2+',
      },
    ),
  ],
  response: [
    field('throttleTimeMs', 'int32', '3+'),
    array('topics', '0+', [
      field('name', 'string', '0+'),
      array('partitions', '0+', [
        field('partitionIndex', 'int32', '0+'),
        field('committedOffset', 'int64', '0+'),
        field('committedLeaderEpoch', 'int32', '5+', { default: -1 }),
        field('metadata', 'string', '0+', { nullable: '0+', default: null }),
        field('errorCode', 'int16', '0+'),
      ]),
    ]),
    field('errorCode', 'int16', '2+'),
  ],
}
