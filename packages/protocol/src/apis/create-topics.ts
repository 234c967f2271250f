// CreateTopics (key 2), v0.
//   request  = { topics: [{ name, partitions: int, replicationFactor: int, config: {..} }], validateOnly?: bool }
//   response = { errorCode?, errorMessage?, topics: [{ name, errorCode, errorMessage? }] }
// Each topic succeeds or fails on its own (TOPIC_ALREADY_EXISTS, INVALID_TOPIC, INVALID_CONFIG...).
import { array, boolean, integer, object, type ResponseError, responseError, string } from '../schema.js'
import { checkTopicConfig, type TopicConfig } from '../topic-config.js'
import { type ApiDefinition, ApiKeys, type ErrorFields } from './api.js'
import { errorFields } from './metadata.js'

export interface CreatableTopic {
  readonly name: string
  readonly partitions: number
  readonly replicationFactor: number
  readonly config: TopicConfig
}

export interface CreateTopicsRequest {
  readonly topics: readonly CreatableTopic[]
  readonly validateOnly?: boolean
}

export interface TopicResult extends ErrorFields {
  readonly name: string
}

export interface CreateTopicsResponse extends ResponseError {
  readonly topics: readonly TopicResult[]
}

export function decodeTopicResults(body: unknown, api: string): { topics: TopicResult[] } & ResponseError {
  const fields = object(body, api)
  return {
    ...responseError(fields, api),
    topics: array(fields, 'topics', api, (value, path) => {
      const topic = object(value, path)
      return { ...errorFields(topic, path), name: string(topic, 'name', path) }
    }),
  }
}

export const CreateTopics: ApiDefinition<CreateTopicsRequest, CreateTopicsResponse> = {
  name: 'CreateTopics',
  apiKey: ApiKeys.CreateTopics,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'CreateTopics')
    return {
      validateOnly: boolean(fields, 'validateOnly', 'CreateTopics', false),
      topics: array(fields, 'topics', 'CreateTopics', (value, path) => {
        const topic = object(value, path)
        return {
          name: string(topic, 'name', path, 1000),
          partitions: integer(topic, 'partitions', path, 1, 1_000_000),
          replicationFactor: integer(topic, 'replicationFactor', path, 1, 1000),
          config: checkTopicConfig(topic.config, `${path}.config`),
        }
      }),
    }
  },
  decodeResponse: (body) => decodeTopicResults(body, 'CreateTopics'),
}
