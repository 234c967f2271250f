// What a Kafka-listener connection may send before it authenticated, when SASL is on: ApiVersions
// and the SASL exchange (SaslHandshake, SaslAuthenticate). Kafka brokers close a connection that
// sends anything else first (the client is misconfigured: no answer it could read would help), and
// so do we, with a logged reason. Pure.
import { Kafka } from '@weir/protocol'

const allowedBeforeAuthentication: ReadonlySet<number> = new Set([
  Kafka.KafkaApiKeys.ApiVersions,
  Kafka.KafkaApiKeys.SaslHandshake,
  Kafka.KafkaApiKeys.SaslAuthenticate,
])

export interface KafkaGateState {
  readonly session: { readonly authenticated: boolean }
  /** Present when SASL is on for this connection. */
  readonly sasl?: unknown
}

/** Why Kafka API `apiKey` may not run yet on this connection, or undefined when it may. */
export function kafkaRefusedBeforeAuthentication(apiKey: number, state: KafkaGateState): string | undefined {
  if (state.sasl === undefined || state.session.authenticated) return undefined
  if (allowedBeforeAuthentication.has(apiKey)) return undefined
  return `Kafka API key ${apiKey} before SASL authentication: configure the client's SASL settings (mechanism, username, password) to match the broker's --sasl-mechanisms`
}
