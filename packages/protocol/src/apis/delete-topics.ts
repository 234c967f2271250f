// DeleteTopics (key 3), v0.
//   request  = { topics: [string] }
//   response = { errorCode?, errorMessage?, topics: [{ name, errorCode, errorMessage? }] }
import { array, object, stringItem } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'
import { type CreateTopicsResponse, decodeTopicResults } from './create-topics.js'

export interface DeleteTopicsRequest {
  readonly topics: readonly string[]
}

export type DeleteTopicsResponse = CreateTopicsResponse

export const DeleteTopics: ApiDefinition<DeleteTopicsRequest, DeleteTopicsResponse> = {
  name: 'DeleteTopics',
  apiKey: ApiKeys.DeleteTopics,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'DeleteTopics')
    return { topics: array(fields, 'topics', 'DeleteTopics', stringItem) }
  },
  decodeResponse: (body) => decodeTopicResults(body, 'DeleteTopics'),
}
