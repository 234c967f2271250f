// OffsetCommit (key 8), v2-v7 (v8, the first flexible, is not needed).
//   request  = group_id STRING, generation_id INT32, member_id STRING,
//              group_instance_id NULLABLE_STRING (v7+), retention_time_ms INT64 (v2-v4),
//              topics [name STRING, partitions [partition_index INT32, committed_offset INT64,
//              committed_leader_epoch INT32 (v6+), committed_metadata NULLABLE_STRING]]
//   response = throttle_time_ms INT32 (v3+), topics [name STRING, partitions [partition_index INT32, error_code INT16]]
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export interface OffsetCommitRequest {
  readonly groupId: string
  /** -1 with an empty memberId: a commit from outside any generation (a simple consumer). */
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly retentionTimeMs: number
  readonly topics: readonly {
    readonly name: string
    readonly partitions: readonly {
      readonly partitionIndex: number
      readonly committedOffset: number
      readonly committedLeaderEpoch: number
      readonly committedMetadata: string | null
    }[]
  }[]
}

export interface OffsetCommitResponse {
  readonly throttleTimeMs?: number
  readonly topics: readonly {
    readonly name: string
    readonly partitions: readonly { readonly partitionIndex: number; readonly errorCode: number }[]
  }[]
}

export const offsetCommitApi: KafkaApi<OffsetCommitRequest, OffsetCommitResponse> = {
  name: 'OffsetCommit',
  apiKey: KafkaApiKeys.OffsetCommit,
  versionMin: 2,
  versionMax: 7,
  request: [
    field('groupId', 'string', '0+'),
    field('generationId', 'int32', '1+', { default: -1 }),
    field('memberId', 'string', '1+'),
    field('groupInstanceId', 'string', '7+', { nullable: '7+', default: null }),
    field('retentionTimeMs', 'int64', '2-4', { default: -1 }),
    array('topics', '0+', [
      field('name', 'string', '0+'),
      array('partitions', '0+', [
        field('partitionIndex', 'int32', '0+'),
        field('committedOffset', 'int64', '0+'),
        field('committedLeaderEpoch', 'int32', '6+', { default: -1 }),
        field('committedMetadata', 'string', '0+', { nullable: '0+' }),
      ]),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32', '3+'),
    array('topics', '0+', [
      field('name', 'string', '0+'),
      array('partitions', '0+', [field('partitionIndex', 'int32', '0+'), field('errorCode', 'int16', '0+')]),
    ]),
  ],
}
