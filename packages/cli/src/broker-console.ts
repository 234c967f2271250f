// `weir broker --console-listen HOST:PORT`: the web console in the broker's own process, a client
// of the broker's own client listener over loopback TCP (the same path as any application).
import { Client } from '@weir/client'
import { type ConsoleServer, parseListenAddress, startConsole } from '@weir/console'
import { UsageError } from './flags.js'

/** Checks --console-listen; the console logs in with nothing, so a TLS or SASL listener refuses it. */
export function checkConsoleListen(
  listen: string | undefined,
  broker: { readonly tls?: unknown; readonly saslMechanisms?: unknown },
): string | undefined {
  if (listen === undefined) return undefined
  try {
    parseListenAddress(listen, '--console-listen')
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (broker.tls !== undefined || broker.saslMechanisms !== undefined)
    throw new UsageError(
      '--console-listen connects to this broker over plain TCP without a login; with TLS or SASL on the client listener, run `weir console` with the --tls-* and --sasl-* flags instead',
    )
  return listen
}

export function startBrokerConsole(
  listen: string,
  brokerAddress: { readonly host: string; readonly port: number },
): Promise<ConsoleServer> {
  // A wildcard bind is reached through loopback, like any local client.
  const host =
    brokerAddress.host === '0.0.0.0' ? '127.0.0.1' : brokerAddress.host === '::' ? '::1' : brokerAddress.host
  const address = `${host.includes(':') ? `[${host}]` : host}:${brokerAddress.port}`
  return startConsole({
    listen,
    newClient: () => new Client({ brokers: [address], clientId: 'weir-console' }),
  })
}
