// FindCoordinator (key 10), v0-v3; v3 is flexible (v4 batches keys, which no client we target needs).
//   request  = key STRING, key_type INT8 (v1+: 0 group, 1 transaction)
//   response = throttle_time_ms INT32 (v1+), error_code INT16, error_message NULLABLE_STRING (v1+),
//              node_id INT32, host STRING, port INT32
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { field } from '../schema.js'

export const CoordinatorKeyType = { group: 0, transaction: 1 } as const

export interface FindCoordinatorRequest {
  readonly key: string
  readonly keyType: number
}

export interface FindCoordinatorResponse {
  readonly throttleTimeMs?: number
  readonly errorCode: number
  readonly errorMessage?: string | null
  readonly nodeId: number
  readonly host: string
  readonly port: number
}

export const findCoordinatorApi: KafkaApi<FindCoordinatorRequest, FindCoordinatorResponse> = {
  name: 'FindCoordinator',
  apiKey: KafkaApiKeys.FindCoordinator,
  versionMin: 0,
  versionMax: 3,
  flexibleFrom: 3,
  request: [field('key', 'string', '0+'), field('keyType', 'int8', '1+')],
  response: [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '0+'),
    field('errorMessage', 'string', '1+', { nullable: '1+', default: null }),
    field('nodeId', 'int32', '0+'),
    field('host', 'string', '0+'),
    field('port', 'int32', '0+'),
  ],
}
