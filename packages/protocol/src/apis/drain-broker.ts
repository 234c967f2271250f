// DrainBroker (key 24), v0: marks a broker as draining (it hands every leadership it holds to
// other brokers and is not given any back) or no longer draining. Any broker takes it and forwards
// it to the controller; the mark is a committed metadata record, so every broker knows it and it
// survives restarts until undrained. Answered once the answering broker applied it.
//   request  = { brokerId: int, draining: bool }
//   response = { errorCode?, errorMessage? }
import { boolean, integer, object, type ResponseError, responseError } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'

export interface DrainBrokerRequest {
  /** 1 to 2^31-1, a broker of the cluster. */
  readonly brokerId: number
  /** true: start draining; false: end it (the preferred-leader handback then returns leaders). */
  readonly draining: boolean
}

export const DrainBroker: ApiDefinition<DrainBrokerRequest, ResponseError> = {
  name: 'DrainBroker',
  apiKey: ApiKeys.DrainBroker,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'DrainBroker'
    const fields = object(body, path)
    return {
      brokerId: integer(fields, 'brokerId', path, 1, 2 ** 31 - 1),
      draining: boolean(fields, 'draining', path, true),
    }
  },
  decodeResponse(body) {
    return responseError(object(body, 'DrainBroker'), 'DrainBroker')
  },
}
