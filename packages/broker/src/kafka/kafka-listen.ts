// --kafka-listen / weir.json kafkaListen: `HOST:PORT` of the Kafka-protocol listener, or `off`
// (the default: a broker speaks only Weir's protocol unless asked). --kafka-advertise /
// kafkaAdvertise: the `HOST:PORT` Kafka clients are told in Metadata; default the bound address.
import { WeirError } from '@weir/protocol'
import { parseListen } from '../listen-address.js'

export type KafkaAddress = { readonly host: string; readonly port: number }

const hostPort = /^(?:\[[^\]]+\]|[^:]+):\d{1,5}$/

/** undefined for off or absent; INVALID_CONFIG naming `key` otherwise. */
export function resolveKafkaListen(given: unknown, key = 'kafkaListen'): KafkaAddress | undefined {
  if (given === undefined || given === 'off') return undefined
  if (typeof given !== 'string' || !hostPort.test(given)) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${key} must be HOST:PORT (e.g. 127.0.0.1:9092; port 0 picks a free port) or off, got ${JSON.stringify(given)}`,
    )
  }
  return parseListen(given, key)
}

/** undefined when absent; a port of 0 cannot be advertised (no client can dial it). */
export function resolveKafkaAdvertise(given: unknown, key = 'kafkaAdvertise'): KafkaAddress | undefined {
  if (given === undefined) return undefined
  const address =
    typeof given === 'string' && hostPort.test(given) ? parseListen(given, key) : { host: '', port: 0 }
  if (address.port === 0) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${key} must be HOST:PORT with a port from 1 to 65535, the address Kafka clients dial (e.g. kafka.example.com:9092), got ${JSON.stringify(given)}`,
    )
  }
  return address
}
