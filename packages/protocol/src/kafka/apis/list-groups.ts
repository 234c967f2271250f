// ListGroups (key 16), v0-v2 (v3, the first flexible, is not needed; v4's states filter neither).
//   request  = (empty)
//   response = throttle_time_ms INT32 (v1+), error_code INT16, groups [group_id STRING, protocol_type STRING]
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

// biome-ignore lint/complexity/noBannedTypes: the request has no fields at these versions
export type ListGroupsRequest = {}

export interface ListGroupsResponse {
  readonly throttleTimeMs?: number
  readonly errorCode: number
  readonly groups: readonly { readonly groupId: string; readonly protocolType: string }[]
}

export const listGroupsApi: KafkaApi<ListGroupsRequest, ListGroupsResponse> = {
  name: 'ListGroups',
  apiKey: KafkaApiKeys.ListGroups,
  versionMin: 0,
  versionMax: 2,
  request: [],
  response: [
    field('throttleTimeMs', 'int32', '1+'),
    field('errorCode', 'int16', '0+'),
    array('groups', '0+', [field('groupId', 'string', '0+'), field('protocolType', 'string', '0+')]),
  ],
}
