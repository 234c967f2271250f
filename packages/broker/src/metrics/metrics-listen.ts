// --metrics-listen / weir.json metricsListen: `HOST:PORT`, or `off`. The `weir broker` command
// serves metrics on defaultMetricsListen unless told otherwise; an embedded Broker serves none
// unless given an address (tests and applications start many brokers in one process).
import { WeirError } from '@weir/protocol'
import { parseListen } from '../listen-address.js'

export const defaultMetricsListen = '127.0.0.1:9171'

export type MetricsAddress = { readonly host: string; readonly port: number } | undefined

/** undefined for off or absent; INVALID_CONFIG naming `key` otherwise. */
export function resolveMetricsListen(given: unknown, key = 'metricsListen'): MetricsAddress {
  if (given === undefined || given === 'off') return undefined
  const address = typeof given === 'string' ? /^(?:\[[^\]]+\]|[^:]+):\d{1,5}$/.test(given) : false
  if (!address) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${key} must be HOST:PORT (e.g. ${defaultMetricsListen}; port 0 picks a free port) or off, got ${JSON.stringify(given)}`,
    )
  }
  return parseListen(given as string, key)
}
