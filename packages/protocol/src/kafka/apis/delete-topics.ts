// DeleteTopics (key 20), v0-v3 (v4, the first flexible, is not needed).
//   request  = topic_names [STRING], timeout_ms INT32
//   response = throttle_time_ms INT32 (v1+), responses [name STRING, error_code INT16]
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export interface DeleteTopicsRequest {
  readonly topicNames: readonly string[]
  readonly timeoutMs: number
}

export interface DeleteTopicsResponse {
  readonly throttleTimeMs?: number
  readonly responses: readonly { readonly name: string; readonly errorCode: number }[]
}

export const deleteTopicsApi: KafkaApi<DeleteTopicsRequest, DeleteTopicsResponse> = {
  name: 'DeleteTopics',
  apiKey: KafkaApiKeys.DeleteTopics,
  versionMin: 0,
  versionMax: 3,
  request: [field('topicNames', { arrayOf: 'string' }, '0+'), field('timeoutMs', 'int32', '0+')],
  response: [
    field('throttleTimeMs', 'int32', '1+'),
    array('responses', '0+', [field('name', 'string', '0+'), field('errorCode', 'int16', '0+')]),
  ],
}
