// BrokerHeartbeat (key 34), v0: broker to broker, on the peer listener only. Every broker sends
// one to every peer each second with its state, so each keeps a table of who is alive, catching
// up or draining, and who went silent (down). Fire and forget: the answer carries nothing.
//   request  = { brokerId, state, progressPercent, kafkaHost?, kafkaPort? }
//   state           = 'alive' | 'catching-up' | 'draining'
//   progressPercent = 0..100 (see DescribeBrokers)
//   kafkaHost, kafkaPort = where the sender's Kafka listener is advertised (--kafka-listen), both or
//                     neither; absent from brokers without one (and from brokers older than it)
//   response = { errorCode?, errorMessage? }
import {
  integer,
  object,
  optionalInteger,
  optionalString,
  type ResponseError,
  responseError,
} from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'
import { BrokerStates, brokerStateField, type ReportedBrokerState } from './describe-brokers.js'

export interface BrokerHeartbeatRequest {
  /** The sender; must be the broker its peer connection authenticated as. */
  readonly brokerId: number
  readonly state: ReportedBrokerState
  readonly progressPercent: number
  /** The sender's Kafka listener as Kafka clients should dial it; absent when it has none. */
  readonly kafkaHost?: string
  readonly kafkaPort?: number
}

export type BrokerHeartbeatResponse = ResponseError

const reportedStates: readonly ReportedBrokerState[] = [
  BrokerStates.alive,
  BrokerStates.catchingUp,
  BrokerStates.draining,
]

export const BrokerHeartbeat: ApiDefinition<BrokerHeartbeatRequest, BrokerHeartbeatResponse> = {
  name: 'BrokerHeartbeat',
  apiKey: ApiKeys.BrokerHeartbeat,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'BrokerHeartbeat'
    const fields = object(body, path)
    const kafkaHost = optionalString(fields, 'kafkaHost', path)
    const kafkaPort = optionalInteger(fields, 'kafkaPort', path, 0, 1, 65_535)
    // Half an address is no address: both, or the sender has no Kafka listener.
    const kafka = kafkaHost === undefined || kafkaPort === 0 ? {} : { kafkaHost, kafkaPort }
    return {
      brokerId: integer(fields, 'brokerId', path, 1, 2 ** 31 - 1),
      state: brokerStateField(fields, path, reportedStates),
      progressPercent: integer(fields, 'progressPercent', path, 0, 100),
      ...kafka,
    }
  },
  decodeResponse: (body) => responseError(object(body, 'BrokerHeartbeat'), 'BrokerHeartbeat'),
}
