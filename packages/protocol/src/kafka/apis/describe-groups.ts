// DescribeGroups (key 15), v0-v4 (v5, the first flexible, is not needed). Members' metadata and
// assignment are opaque bytes (the consumer protocol's subscription and assignment for 'consumer'
// groups), carried as stored: Kafka clients and tools decode them.
//   request  = groups [STRING], include_authorized_operations BOOLEAN (v3+)
//   response = throttle_time_ms INT32 (v1+), groups [error_code INT16, group_id STRING,
//              group_state STRING, protocol_type STRING, protocol_data STRING,
//              members [member_id STRING, group_instance_id NULLABLE_STRING (v4+), client_id STRING,
//              client_host STRING, member_metadata BYTES, member_assignment BYTES],
//              authorized_operations INT32 (v3+)]
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'
import { authorizedOperationsOmitted } from './metadata.js'

export interface DescribeGroupsRequest {
  readonly groups: readonly string[]
  /** v3+: ask for authorizedOperations (false before). */
  readonly includeAuthorizedOperations: boolean
}

export interface DescribedGroupMember {
  readonly memberId: string
  readonly groupInstanceId?: string | null
  readonly clientId: string
  readonly clientHost: string
  readonly memberMetadata: Uint8Array
  readonly memberAssignment: Uint8Array
}

export interface DescribedKafkaGroup {
  readonly errorCode: number
  readonly groupId: string
  /** Kafka's state names: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead. */
  readonly groupState: string
  readonly protocolType: string
  /** The chosen protocol (assignor), '' when none. */
  readonly protocolData: string
  readonly members: readonly DescribedGroupMember[]
  readonly authorizedOperations?: number
}

export interface DescribeGroupsResponse {
  readonly throttleTimeMs?: number
  readonly groups: readonly DescribedKafkaGroup[]
}

export const describeGroupsApi: KafkaApi<DescribeGroupsRequest, DescribeGroupsResponse> = {
  name: 'DescribeGroups',
  apiKey: KafkaApiKeys.DescribeGroups,
  versionMin: 0,
  versionMax: 4,
  request: [field('groups', { arrayOf: 'string' }, '0+'), field('includeAuthorizedOperations', 'bool', '3+')],
  response: [
    field('throttleTimeMs', 'int32', '1+'),
    array('groups', '0+', [
      field('errorCode', 'int16', '0+'),
      field('groupId', 'string', '0+'),
      field('groupState', 'string', '0+'),
      field('protocolType', 'string', '0+'),
      field('protocolData', 'string', '0+'),
      array('members', '0+', [
        field('memberId', 'string', '0+'),
        field('groupInstanceId', 'string', '4+', { nullable: '4+', default: null }),
        field('clientId', 'string', '0+'),
        field('clientHost', 'string', '0+'),
        field('memberMetadata', 'bytes', '0+'),
        field('memberAssignment', 'bytes', '0+'),
      ]),
      field('authorizedOperations', 'int32', '3+', { default: authorizedOperationsOmitted }),
    ]),
  ],
}
