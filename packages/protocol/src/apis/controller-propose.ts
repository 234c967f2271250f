// ControllerPropose (key 31), v0: broker to broker. A broker that is not the controller's Raft
// leader forwards a metadata change (create or delete a topic, add partitions) to the leader,
// which commits it to the controller log and answers once it is committed, or fails it.
//   request  = { record: bin }                          one msgpack-encoded metadata record
//   response = { errorCode?, errorMessage?, leaderId }  NOT_LEADER names the leader it knows
import { bytes, object, optionalInteger, type ResponseError, responseError } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'

export interface ControllerProposeRequest {
  readonly record: Buffer
}

export interface ControllerProposeResponse extends ResponseError {
  /** The controller leader the answering broker knows of; 0 when none. */
  readonly leaderId: number
}

export const ControllerPropose: ApiDefinition<ControllerProposeRequest, ControllerProposeResponse> = {
  name: 'ControllerPropose',
  apiKey: ApiKeys.ControllerPropose,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'ControllerPropose')
    return { record: bytes(fields, 'record', 'ControllerPropose') }
  },
  decodeResponse(body) {
    const path = 'ControllerPropose'
    const fields = object(body, path)
    return { ...responseError(fields, path), leaderId: optionalInteger(fields, 'leaderId', path, 0, 0) }
  },
}
