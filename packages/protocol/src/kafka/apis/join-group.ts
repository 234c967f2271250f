// JoinGroup (key 11), v0-v5 (v6, the first flexible, is not needed). The protocols' metadata is
// opaque bytes (range, roundrobin, cooperative-sticky subscriptions), carried as Kafka does.
//   request  = group_id STRING, session_timeout_ms INT32, rebalance_timeout_ms INT32 (v1+),
//              member_id STRING, group_instance_id NULLABLE_STRING (v5+), protocol_type STRING,
//              protocols [name STRING, metadata BYTES]
//   response = throttle_time_ms INT32 (v2+), error_code INT16, generation_id INT32,
//              protocol_name STRING, leader STRING, member_id STRING, members [member_id STRING,
//              group_instance_id NULLABLE_STRING (v5+), metadata BYTES]
// From v4 a first join with an empty member id is answered MEMBER_ID_REQUIRED (79) with the id to
// use; that is the coordinator's choice, not the codec's.
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export interface JoinGroupRequest {
  readonly groupId: string
  readonly sessionTimeoutMs: number
  /** -1 in v0: use sessionTimeoutMs. */
  readonly rebalanceTimeoutMs: number
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly protocolType: string
  readonly protocols: readonly { readonly name: string; readonly metadata: Buffer }[]
}

export interface JoinGroupResponse {
  readonly throttleTimeMs?: number
  readonly errorCode: number
  readonly generationId: number
  readonly protocolName: string
  readonly leader: string
  readonly memberId: string
  readonly members: readonly {
    readonly memberId: string
    readonly groupInstanceId?: string | null
    readonly metadata: Uint8Array
  }[]
}

export const joinGroupApi: KafkaApi<JoinGroupRequest, JoinGroupResponse> = {
  name: 'JoinGroup',
  apiKey: KafkaApiKeys.JoinGroup,
  versionMin: 0,
  versionMax: 5,
  request: [
    field('groupId', 'string', '0+'),
    field('sessionTimeoutMs', 'int32', '0+'),
    field('rebalanceTimeoutMs', 'int32', '1+', { default: -1 }),
    field('memberId', 'string', '0+'),
    field('groupInstanceId', 'string', '5+', { nullable: '5+', default: null }),
    field('protocolType', 'string', '0+'),
    array('protocols', '0+', [field('name', 'string', '0+'), field('metadata', 'bytes', '0+')]),
  ],
  response: [
    field('throttleTimeMs', 'int32', '2+'),
    field('errorCode', 'int16', '0+'),
    field('generationId', 'int32', '0+', { default: -1 }),
    field('protocolName', 'string', '0+'),
    field('leader', 'string', '0+'),
    field('memberId', 'string', '0+'),
    array('members', '0+', [
      field('memberId', 'string', '0+'),
      field('groupInstanceId', 'string', '5+', { nullable: '5+', default: null }),
      field('metadata', 'bytes', '0+'),
    ]),
  ],
}
