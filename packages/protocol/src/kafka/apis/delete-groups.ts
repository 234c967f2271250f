// DeleteGroups (key 42), v0-v1 (v2, the first flexible, is not needed).
//   request  = groups_names [STRING]
//   response = throttle_time_ms INT32, results [group_id STRING, error_code INT16]
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export interface DeleteGroupsRequest {
  readonly groupsNames: readonly string[]
}

export interface DeleteGroupsResponse {
  readonly throttleTimeMs: number
  readonly results: readonly { readonly groupId: string; readonly errorCode: number }[]
}

export const deleteGroupsApi: KafkaApi<DeleteGroupsRequest, DeleteGroupsResponse> = {
  name: 'DeleteGroups',
  apiKey: KafkaApiKeys.DeleteGroups,
  versionMin: 0,
  versionMax: 1,
  request: [field('groupsNames', { arrayOf: 'string' }, '0+')],
  response: [
    field('throttleTimeMs', 'int32', '0+'),
    array('results', '0+', [field('groupId', 'string', '0+'), field('errorCode', 'int16', '0+')]),
  ],
}
