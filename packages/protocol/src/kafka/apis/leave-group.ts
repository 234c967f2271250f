// LeaveGroup (key 13), v0-v3 (v4, the first flexible, is not needed). v3 leaves in batches.
//   request  v0-2 = group_id STRING, member_id STRING
//            v3   = group_id STRING, members [member_id STRING, group_instance_id NULLABLE_STRING]
//   response = throttle_time_ms INT32 (v1+), error_code INT16,
//              members [member_id STRING, group_instance_id NULLABLE_STRING, error_code INT16] (v3+)
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export interface LeaveGroupMember {
  readonly memberId: string
  readonly groupInstanceId: string | null
}

export interface LeaveGroupRequest {
  readonly groupId: string
  /** v0-v2 only ('' from v3). */
  readonly memberId: string
  /** v3+ only (empty before). */
  readonly members: readonly LeaveGroupMember[]
}

export interface LeaveGroupResponse {
  readonly throttleTimeMs?: number
  readonly errorCode: number
  readonly members?: readonly (LeaveGroupMember & { readonly errorCode: number })[]
}

export const leaveGroupApi: KafkaApi<LeaveGroupRequest, LeaveGroupResponse> = {
  name: 'LeaveGroup',
  apiKey: KafkaApiKeys.LeaveGroup,
  versionMin: 0,
  versionMax: 3,
  request: [
    field('groupId', 'string', '0+'),
    field('memberId', 'string', '0-2'),
    array('members', '3+', [
      field('memberId', 'string', '3+'),
      field('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '0+'),
    array('members', '3+', [
      field('memberId', 'string', '3+'),
      field('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
      field('errorCode', 'int16', '3+'),
    ]),
  ],
}
