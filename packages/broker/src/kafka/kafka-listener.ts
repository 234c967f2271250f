// The Kafka-protocol listener (--kafka-listen): bound next to the client listener with the same
// transport (TLS when --tls-cert is set) and, per connection, the same SASL settings. Its
// connections are ordinary broker connections (connection.ts: limits, request budget, deadlines,
// the smaller frame limit before authentication) whose frames go to a KafkaDispatcher.
import { hostname } from 'node:os'
import type { Transport, TransportListener, TransportSocket } from '@weir/protocol'
import type { KafkaAddress } from './kafka-listen.js'

export interface KafkaListening {
  readonly listener: TransportListener
  /** Where it is bound (port 0 resolved). */
  readonly address: KafkaAddress
  /** What Metadata names as this broker: kafkaAdvertise, or the bound address. */
  readonly advertised: KafkaAddress
}

/** Binds; errors as the client listener's (INVALID_CONFIG for an address in use or not available). */
export async function openKafkaListener(
  transport: Transport,
  listen: KafkaAddress,
  advertise: KafkaAddress | undefined,
  accept: (socket: TransportSocket) => void,
): Promise<KafkaListening> {
  const listener = await transport.listen(listen, accept)
  const address = { host: listen.host, port: listener.port }
  return {
    listener,
    address,
    advertised: advertise ?? { host: dialableHost(listen.host), port: listener.port },
  }
}

/** A wildcard address cannot be dialled: clients are told this machine's name instead. */
function dialableHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? hostname() : host
}
