// SyncGroup (key 14), v0-v3 (v4, the first flexible, is not needed). Assignments are opaque bytes.
//   request  = group_id STRING, generation_id INT32, member_id STRING,
//              group_instance_id NULLABLE_STRING (v3+), assignments [member_id STRING, assignment BYTES]
//   response = throttle_time_ms INT32 (v1+), error_code INT16, assignment BYTES
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export interface SyncGroupRequest {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
  /** Filled by the group leader only; empty from the other members. */
  readonly assignments: readonly { readonly memberId: string; readonly assignment: Buffer }[]
}

export interface SyncGroupResponse {
  readonly throttleTimeMs?: number
  readonly errorCode: number
  readonly assignment: Uint8Array
}

export const syncGroupApi: KafkaApi<SyncGroupRequest, SyncGroupResponse> = {
  name: 'SyncGroup',
  apiKey: KafkaApiKeys.SyncGroup,
  versionMin: 0,
  versionMax: 3,
  request: [
    field('groupId', 'string', '0+'),
    field('generationId', 'int32', '0+'),
    field('memberId', 'string', '0+'),
    field('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
    array('assignments', '0+', [field('memberId', 'string', '0+'), field('assignment', 'bytes', '0+')]),
  ],
  response: [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '0+'),
    field('assignment', 'bytes', '0+'),
  ],
}
