// Heartbeat (key 12), v0-v3 (v4, the first flexible, is not needed).
//   request  = group_id STRING, generation_id INT32, member_id STRING,
//              group_instance_id NULLABLE_STRING (v3+)
//   response = throttle_time_ms INT32 (v1+), error_code INT16
// REBALANCE_IN_PROGRESS (27) is how a member learns to send JoinGroup again.
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { field } from '../schema.js'

export interface HeartbeatRequest {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
}

export interface HeartbeatResponse {
  readonly throttleTimeMs?: number
  readonly errorCode: number
}

export const heartbeatApi: KafkaApi<HeartbeatRequest, HeartbeatResponse> = {
  name: 'Heartbeat',
  apiKey: KafkaApiKeys.Heartbeat,
  versionMin: 0,
  versionMax: 3,
  request: [
    field('groupId', 'string', '0+'),
    field('generationId', 'int32', '0+'),
    field('memberId', 'string', '0+'),
    field('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
  ],
  response: [field('throttleTimeMs', 'int32', '1+'), field('errorCode', 'int16', '0+')],
}
