// What a client-listener connection may do before it has authenticated, when SASL is on: learn
// the API versions and run the SASL exchange, nothing else. Everything else is refused with
// ILLEGAL_SASL_STATE (typed, the connection stays open so the client can still authenticate).
// Brokers never pass this gate: they talk on the peer listener, authenticated by mutual TLS or
// the cluster secret, where SASL is off.
import { ApiKeys, WeirError } from '@weir/protocol'

const allowedBeforeAuthentication = new Set<number>([
  ApiKeys.ApiVersions,
  ApiKeys.SaslHandshake,
  ApiKeys.SaslAuthenticate,
])

export interface GateState {
  readonly listener: 'client' | 'peer'
  readonly session: { readonly authenticated: boolean }
  /** Present when SASL is on for this connection. */
  readonly sasl?: unknown
}

/** The refusal for a request that needs authentication first, or undefined when it may run. */
export function refusedBeforeAuthentication(apiKey: number, state: GateState): WeirError | undefined {
  if (state.sasl === undefined || state.listener !== 'client' || state.session.authenticated) return undefined
  if (allowedBeforeAuthentication.has(apiKey)) return undefined
  return new WeirError(
    'ILLEGAL_SASL_STATE',
    `API key ${apiKey} needs an authenticated connection; authenticate with SaslHandshake and SaslAuthenticate first (client option sasl, or --sasl-mechanism/--sasl-username on the CLI)`,
  )
}
