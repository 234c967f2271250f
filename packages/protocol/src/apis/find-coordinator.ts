// FindCoordinator (key 10), v0. Which broker coordinates a consumer group: the leader of partition
// murmur3(groupId) % n of the internal topic __consumer_offsets. Any broker answers it.
//   request  = { key: str, keyType?: int }          keyType 0 (default) = consumer group; no others yet
//   response = { errorCode?, errorMessage?, nodeId: int, host: str, port: int }
// While no broker leads that partition the answer is an error (retriable) with nodeId -1.
import { integer, object, optionalInteger, type ResponseError, responseError, string } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'
import { groupId } from './group-fields.js'

export const CoordinatorKeyTypes = { group: 0 } as const

export interface FindCoordinatorRequest {
  /** The group id when keyType is 0. */
  readonly key: string
  readonly keyType: number
}

export interface FindCoordinatorResponse extends ResponseError {
  /** Broker id of the coordinator, -1 on error. */
  readonly nodeId: number
  readonly host: string
  readonly port: number
}

export const FindCoordinator: ApiDefinition<FindCoordinatorRequest, FindCoordinatorResponse> = {
  name: 'FindCoordinator',
  apiKey: ApiKeys.FindCoordinator,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'FindCoordinator')
    return {
      key: groupId(fields, 'key', 'FindCoordinator'),
      keyType: optionalInteger(fields, 'keyType', 'FindCoordinator', 0, 0, 0),
    }
  },
  decodeResponse(body) {
    const fields = object(body, 'FindCoordinator')
    return {
      ...responseError(fields, 'FindCoordinator'),
      nodeId: integer(fields, 'nodeId', 'FindCoordinator', -1),
      host: string(fields, 'host', 'FindCoordinator'),
      port: integer(fields, 'port', 'FindCoordinator', -1, 65_535),
    }
  },
}
