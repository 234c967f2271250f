// Produce (key 0), v3-v8 (v3 is the first with RecordBatch v2; v9, the first flexible, is not
// needed: every client we target still speaks v8).
//   request  = transactional_id NULLABLE_STRING, acks INT16, timeout_ms INT32,
//              topics [name STRING, partitions [partition_index INT32, records NULLABLE_BYTES]]
//   response = responses [name STRING, partitions [partition_index INT32, error_code INT16,
//              base_offset INT64, log_append_time_ms INT64, log_start_offset INT64 (v5+),
//              record_errors [batch_index INT32, batch_index_error_message NULLABLE_STRING] (v8+),
//              error_message NULLABLE_STRING (v8+)]], throttle_time_ms INT32
// `records` is a view into the request frame (RecordBatch v2 bytes, magic 2): convert it with
// kafkaBatchToWeir before appending. With acks 0 the broker sends no response at all.
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export interface ProducePartitionData {
  readonly partitionIndex: number
  readonly records: Buffer | null
}

export interface ProduceRequest {
  readonly transactionalId: string | null
  readonly acks: number
  readonly timeoutMs: number
  readonly topics: readonly { readonly name: string; readonly partitions: readonly ProducePartitionData[] }[]
}

export interface ProducePartitionResponse {
  readonly partitionIndex: number
  readonly errorCode: number
  readonly baseOffset: number
  readonly logAppendTimeMs?: number
  readonly logStartOffset?: number
  readonly recordErrors?: readonly {
    readonly batchIndex: number
    readonly batchIndexErrorMessage: string | null
  }[]
  readonly errorMessage?: string | null
}

export interface ProduceResponse {
  readonly responses: readonly {
    readonly name: string
    readonly partitions: readonly ProducePartitionResponse[]
  }[]
  readonly throttleTimeMs?: number
}

export const produceApi: KafkaApi<ProduceRequest, ProduceResponse> = {
  name: 'Produce',
  apiKey: KafkaApiKeys.Produce,
  versionMin: 3,
  versionMax: 8,
  request: [
    field('transactionalId', 'string', '3+', { nullable: '0+', default: null }),
    field('acks', 'int16', '0+'),
    field('timeoutMs', 'int32', '0+'),
    array('topics', '0+', [
      field('name', 'string', '0+'),
      array('partitions', '0+', [
        field('partitionIndex', 'int32', '0+'),
        field('records', 'bytes', '0+', { nullable: '0+' }),
      ]),
    ]),
  ],
  response: [
    array('responses', '0+', [
      field('name', 'string', '0+'),
      array('partitions', '0+', [
        field('partitionIndex', 'int32', '0+'),
        field('errorCode', 'int16', '0+'),
        field('baseOffset', 'int64', '0+'),
        field('logAppendTimeMs', 'int64', '2+', { default: -1 }),
        field('logStartOffset', 'int64', '5+', { default: -1 }),
        array('recordErrors', '8+', [
          field('batchIndex', 'int32', '8+'),
          field('batchIndexErrorMessage', 'string', '8+', { nullable: '8+', default: null }),
        ]),
        field('errorMessage', 'string', '8+', { nullable: '8+', default: null }),
      ]),
    ]),
    field('throttleTimeMs', 'int32', '1+'),
  ],
}
