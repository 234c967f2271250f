// Fetch (key 1), v4-v11 (v4 is the first that returns RecordBatch v2 and isolation levels; v12,
// the first flexible, adds nothing a consumer needs).
//   request  = replica_id INT32, max_wait_ms INT32, min_bytes INT32, max_bytes INT32,
//              isolation_level INT8, session_id INT32 (v7+), session_epoch INT32 (v7+),
//              topics [topic STRING, partitions [partition INT32, current_leader_epoch INT32 (v9+),
//              fetch_offset INT64, log_start_offset INT64 (v5+), partition_max_bytes INT32]],
//              forgotten_topics_data [topic STRING, partitions [INT32]] (v7+), rack_id STRING (v11+)
//   response = throttle_time_ms INT32, error_code INT16 (v7+), session_id INT32 (v7+),
//              responses [topic STRING, partitions [partition_index INT32, error_code INT16,
//              high_watermark INT64, last_stable_offset INT64, log_start_offset INT64 (v5+),
//              aborted_transactions [producer_id INT64, first_offset INT64] (nullable),
//              preferred_read_replica INT32 (v11+), records NULLABLE_BYTES]]
// `records` carries Kafka RecordBatch bytes as they are (weirBatchesToKafka makes them from a log read).
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export interface FetchPartitionRequest {
  readonly partition: number
  readonly currentLeaderEpoch: number
  readonly fetchOffset: number
  readonly logStartOffset: number
  readonly partitionMaxBytes: number
}

export interface FetchRequest {
  readonly replicaId: number
  readonly maxWaitMs: number
  readonly minBytes: number
  readonly maxBytes: number
  /** 0 read_uncommitted, 1 read_committed. */
  readonly isolationLevel: number
  readonly sessionId: number
  readonly sessionEpoch: number
  readonly topics: readonly {
    readonly topic: string
    readonly partitions: readonly FetchPartitionRequest[]
  }[]
  readonly forgottenTopicsData: readonly { readonly topic: string; readonly partitions: readonly number[] }[]
  readonly rackId: string
}

export interface FetchPartitionResponse {
  readonly partitionIndex: number
  readonly errorCode: number
  readonly highWatermark: number
  readonly lastStableOffset?: number
  readonly logStartOffset?: number
  readonly abortedTransactions?:
    | readonly { readonly producerId: number; readonly firstOffset: number }[]
    | null
  readonly preferredReadReplica?: number
  readonly records: Uint8Array | null
}

export interface FetchResponse {
  readonly throttleTimeMs?: number
  readonly errorCode?: number
  readonly sessionId?: number
  readonly responses: readonly {
    readonly topic: string
    readonly partitions: readonly FetchPartitionResponse[]
  }[]
}

export const fetchApi: KafkaApi<FetchRequest, FetchResponse> = {
  name: 'Fetch',
  apiKey: KafkaApiKeys.Fetch,
  versionMin: 4,
  versionMax: 11,
  request: [
    field('replicaId', 'int32', '0+'),
    field('maxWaitMs', 'int32', '0+'),
    field('minBytes', 'int32', '0+'),
    field('maxBytes', 'int32', '3+', { default: 0x7fffffff }),
    field('isolationLevel', 'int8', '4+'),
    field('sessionId', 'int32', '7+'),
    field('sessionEpoch', 'int32', '7+', { default: -1 }),
    array('topics', '0+', [
      field('topic', 'string', '0+'),
      array('partitions', '0+', [
        field('partition', 'int32', '0+'),
        field('currentLeaderEpoch', 'int32', '9+', { default: -1 }),
        field('fetchOffset', 'int64', '0+'),
        field('logStartOffset', 'int64', '5+', { default: -1 }),
        field('partitionMaxBytes', 'int32', '0+'),
      ]),
    ]),
    array('forgottenTopicsData', '7+', [
      field('topic', 'string', '7+'),
      field('partitions', { arrayOf: 'int32' }, '7+'),
    ]),
    field('rackId', 'string', '11+'),
  ],
  response: [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '7+'),
    field('sessionId', 'int32', '7+'),
    array('responses', '0+', [
      field('topic', 'string', '0+'),
      array('partitions', '0+', [
        field('partitionIndex', 'int32', '0+'),
        field('errorCode', 'int16', '0+'),
        field('highWatermark', 'int64', '0+'),
        field('lastStableOffset', 'int64', '4+', { default: -1 }),
        field('logStartOffset', 'int64', '5+', { default: -1 }),
        array(
          'abortedTransactions',
          '4+',
          [field('producerId', 'int64', '4+'), field('firstOffset', 'int64', '4+')],
          {
            nullable: '4+',
            default: null,
          },
        ),
        field('preferredReadReplica', 'int32', '11+', { default: -1 }),
        field('records', 'bytes', '0+', { nullable: '0+', default: null }),
      ]),
    ]),
  ],
}
