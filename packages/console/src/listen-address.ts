// The HOST:PORT the console binds to. Loopback by default: the console has no login of its own.
import { WeirError } from '@weir/protocol'

export const defaultConsoleListen = '127.0.0.1:9172'

export interface ListenAddress {
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
}

/** Parses HOST:PORT (IPv6 in brackets: [::1]:9172); INVALID_CONFIG naming `flag` otherwise. */
export function parseListenAddress(text: string, flag = '--console-listen'): ListenAddress {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(text)
  const port = match === null ? Number.NaN : Number(match[2])
  if (match === null || port > 65_535)
    throw new WeirError(
      'INVALID_CONFIG',
      `${flag} must be HOST:PORT with a port from 0 to 65535 (for example ${defaultConsoleListen}), got ${JSON.stringify(text)}`,
    )
  const host = match[1]!.startsWith('[') ? match[1]!.slice(1, -1) : match[1]!
  return { host, port }
}

/** The URL a browser opens for a bound address (a wildcard bind is reached through loopback). */
export function consoleUrl(address: ListenAddress): string {
  const host = address.host === '0.0.0.0' ? '127.0.0.1' : address.host === '::' ? '::1' : address.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/`
}
