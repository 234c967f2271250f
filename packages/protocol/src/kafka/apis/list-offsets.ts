// ListOffsets (key 2), v1-v5 (v6, the first flexible, is not needed).
//   request  = replica_id INT32, isolation_level INT8 (v2+), topics [name STRING, partitions
//              [partition_index INT32, current_leader_epoch INT32 (v4+), timestamp INT64]]
//   response = throttle_time_ms INT32 (v2+), topics [name STRING, partitions [partition_index INT32,
//              error_code INT16, timestamp INT64, offset INT64, leader_epoch INT32 (v4+)]]
// timestamp -1 asks for the latest offset (the high watermark), -2 for the earliest, else the
// first offset whose timestamp is at or after it.
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export const ListOffsetsTimestamp = { latest: -1, earliest: -2 } as const

export interface ListOffsetsRequest {
  readonly replicaId: number
  readonly isolationLevel: number
  readonly topics: readonly {
    readonly name: string
    readonly partitions: readonly {
      readonly partitionIndex: number
      readonly currentLeaderEpoch: number
      readonly timestamp: number
    }[]
  }[]
}

export interface ListOffsetsResponse {
  readonly throttleTimeMs?: number
  readonly topics: readonly {
    readonly name: string
    readonly partitions: readonly {
      readonly partitionIndex: number
      readonly errorCode: number
      readonly timestamp: number
      readonly offset: number
      readonly leaderEpoch?: number
    }[]
  }[]
}

export const listOffsetsApi: KafkaApi<ListOffsetsRequest, ListOffsetsResponse> = {
  name: 'ListOffsets',
  apiKey: KafkaApiKeys.ListOffsets,
  versionMin: 1,
  versionMax: 5,
  request: [
    field('replicaId', 'int32', '0+'),
    field('isolationLevel', 'int8', '2+'),
    array('topics', '0+', [
      field('name', 'string', '0+'),
      array('partitions', '0+', [
        field('partitionIndex', 'int32', '0+'),
        field('currentLeaderEpoch', 'int32', '4+', { default: -1 }),
        field('timestamp', 'int64', '0+'),
      ]),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32', '2+'),
    array('topics', '0+', [
      field('name', 'string', '0+'),
      array('partitions', '0+', [
        field('partitionIndex', 'int32', '0+'),
        field('errorCode', 'int16', '0+'),
        field('timestamp', 'int64', '1+', { default: -1 }),
        field('offset', 'int64', '1+', { default: -1 }),
        field('leaderEpoch', 'int32', '4+', { default: -1 }),
      ]),
    ]),
  ],
}
