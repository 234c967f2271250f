// DescribeBrokers (key 25), v0: every broker of the cluster as the answering broker sees it: its
// own state now, and each peer's from that peer's last BrokerHeartbeat (`down` when none came for
// brokerDownAfterMs). Needs Cluster:Describe when ACLs are on.
//   request  = {}
//   response = { errorCode?, errorMessage?, brokers: [{ id, host, port, state, progressPercent,
//                lastHeartbeatMs }] }
//   state           = 'alive' | 'catching-up' | 'draining' | 'down'
//   progressPercent = 0..100: how much of the committed data of its replicas (controller log
//                     included) the broker holds; 100 unless catching-up
//   lastHeartbeatMs = ms since its last heartbeat reached the answering broker (0 for itself,
//                     -1 when none ever did)
import { integer, object, optionalArray, type ResponseError, responseError, string } from '../schema.js'
import { WeirError } from '../weir-error.js'
import { type ApiDefinition, ApiKeys } from './api.js'

/** What a broker says of itself in its heartbeats; `down` is what others conclude from silence. */
export const BrokerStates = {
  alive: 'alive',
  catchingUp: 'catching-up',
  draining: 'draining',
  down: 'down',
} as const
export type BrokerState = (typeof BrokerStates)[keyof typeof BrokerStates]
/** The states a broker reports about itself. */
export type ReportedBrokerState = Exclude<BrokerState, 'down'>

const brokerStates: ReadonlySet<string> = new Set(Object.values(BrokerStates))

/** A peer is `down` once no heartbeat of it arrived for this long (heartbeats go every second). */
export const brokerDownAfterMs = 3000

export function isBrokerState(value: unknown): value is BrokerState {
  return typeof value === 'string' && brokerStates.has(value)
}

/** The `state` field of `fields`, one of `allowed`. */
export function brokerStateField<State extends BrokerState>(
  fields: Record<string, unknown>,
  path: string,
  allowed: readonly State[],
): State {
  const value = fields.state
  if (!allowed.includes(value as State))
    throw new WeirError('INVALID_REQUEST', `field ${path}.state must be one of ${allowed.join(', ')}`)
  return value as State
}

export type DescribeBrokersRequest = Record<string, never>

export interface BrokerStatus {
  readonly id: number
  /** Where clients reach it. */
  readonly host: string
  readonly port: number
  readonly state: BrokerState
  readonly progressPercent: number
  /** Ms since its last heartbeat reached the answering broker: 0 for itself, -1 when never. */
  readonly lastHeartbeatMs: number
}

export interface DescribeBrokersResponse extends ResponseError {
  readonly brokers: readonly BrokerStatus[]
}

const brokersMax = 10_000

export const DescribeBrokers: ApiDefinition<DescribeBrokersRequest, DescribeBrokersResponse> = {
  name: 'DescribeBrokers',
  apiKey: ApiKeys.DescribeBrokers,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    object(body, 'DescribeBrokers')
    return {}
  },
  decodeResponse(body) {
    const path = 'DescribeBrokers'
    const fields = object(body, path)
    return {
      ...responseError(fields, path),
      // A refused request (CLUSTER_AUTHORIZATION_FAILED) carries only the error.
      brokers:
        optionalArray(
          fields,
          'brokers',
          path,
          (value, itemPath) => {
            const broker = object(value, itemPath)
            return {
              id: integer(broker, 'id', itemPath, 1, 2 ** 31 - 1),
              host: string(broker, 'host', itemPath, 255),
              port: integer(broker, 'port', itemPath, 0, 65_535),
              state: brokerStateField(broker, itemPath, Object.values(BrokerStates)),
              progressPercent: integer(broker, 'progressPercent', itemPath, 0, 100),
              lastHeartbeatMs: integer(broker, 'lastHeartbeatMs', itemPath, -1),
            }
          },
          brokersMax,
        ) ?? [],
    }
  },
}
