// CreatePartitions (key 7), v0.
//   request  = { topics: [{ name, count: int }], validateOnly?: bool }
//   response = { errorCode?, errorMessage?, topics: [{ name, errorCode, errorMessage? }] }
// Grows each topic to `count` partitions; each topic succeeds or fails on its own (UNKNOWN_TOPIC,
// INVALID_TOPIC for the internal topic, INVALID_CONFIG when `count` is not above the current count).
// validateOnly runs every check and changes nothing (Kafka's CreatePartitions has the same flag).
import { array, boolean, integer, object, string } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'
import { type CreateTopicsResponse, decodeTopicResults } from './create-topics.js'

export interface PartitionsIncrease {
  readonly name: string
  /** The new total partition count (not the number added). */
  readonly count: number
}

export interface CreatePartitionsRequest {
  readonly topics: readonly PartitionsIncrease[]
  /** Check only; false when absent. */
  readonly validateOnly?: boolean
}

export type CreatePartitionsResponse = CreateTopicsResponse

export const CreatePartitions: ApiDefinition<CreatePartitionsRequest, CreatePartitionsResponse> = {
  name: 'CreatePartitions',
  apiKey: ApiKeys.CreatePartitions,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'CreatePartitions')
    return {
      topics: array(fields, 'topics', 'CreatePartitions', (value, path) => {
        const topic = object(value, path)
        return { name: string(topic, 'name', path, 1000), count: integer(topic, 'count', path, 1, 1_000_000) }
      }),
      validateOnly: boolean(fields, 'validateOnly', 'CreatePartitions', false),
    }
  },
  decodeResponse: (body) => decodeTopicResults(body, 'CreatePartitions'),
}
