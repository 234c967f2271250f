// Broker membership (keys 22-23), v0. Served by the controller leader only: any other broker
// answers NOT_LEADER naming the controller, and the client sends it there (Metadata's controllerId).
//   AddBroker     request  = { brokerId: int, host: str, port: int, peerPort: int }
//                 response = { errorCode?, errorMessage?, controllerId: int }
//   RemoveBroker  request  = { brokerId: int }
//                 response = { errorCode?, errorMessage?, controllerId: int }
// AddBroker commits the broker's addresses to the controller log, then makes it a controller voter
// (one Raft single-server change). RemoveBroker is refused with BROKER_NOT_EMPTY while any
// partition names the broker as a replica; otherwise it removes the voter, then the broker.
// Both answer once committed; repeating a completed AddBroker is harmless.
import { integer, object, type ResponseError, responseError, string } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'

const brokerIdMax = 2 ** 31 - 1
const hostLengthMax = 255

export interface AddBrokerRequest {
  readonly brokerId: number
  readonly host: string
  /** Where clients reach the new broker. */
  readonly port: number
  /** Where the other brokers reach it. */
  readonly peerPort: number
}

export interface RemoveBrokerRequest {
  readonly brokerId: number
}

export interface MembershipResponse extends ResponseError {
  /** The controller leader that answered (-1 when unknown). */
  readonly controllerId: number
}

function decodeMembershipResponse(body: unknown, path: string): MembershipResponse {
  const fields = object(body, path)
  const controllerId =
    fields.controllerId === undefined ? -1 : integer(fields, 'controllerId', path, -1, brokerIdMax)
  return { ...responseError(fields, path), controllerId }
}

export const AddBroker: ApiDefinition<AddBrokerRequest, MembershipResponse> = {
  name: 'AddBroker',
  apiKey: ApiKeys.AddBroker,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'AddBroker'
    const fields = object(body, path)
    return {
      brokerId: integer(fields, 'brokerId', path, 1, brokerIdMax),
      host: string(fields, 'host', path, hostLengthMax),
      port: integer(fields, 'port', path, 1, 65_535),
      peerPort: integer(fields, 'peerPort', path, 1, 65_535),
    }
  },
  decodeResponse: (body) => decodeMembershipResponse(body, 'AddBroker'),
}

export const RemoveBroker: ApiDefinition<RemoveBrokerRequest, MembershipResponse> = {
  name: 'RemoveBroker',
  apiKey: ApiKeys.RemoveBroker,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'RemoveBroker')
    return { brokerId: integer(fields, 'brokerId', 'RemoveBroker', 1, brokerIdMax) }
  },
  decodeResponse: (body) => decodeMembershipResponse(body, 'RemoveBroker'),
}
