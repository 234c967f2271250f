// `host:port` as written in --listen, --peers and weir.json.
import { WeirError } from '@weir/protocol'

/** Splits `host:port` (IPv6 as `[::1]:7171`); port 0 to 65535. */
export function parseListen(listen: string, key = 'listen'): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen)
  const host = match?.[1] ?? match?.[2]
  const port = Number(match?.[3])
  if (!match || !host || port > 65_535) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${key} must be host:port with a port from 0 to 65535, e.g. 127.0.0.1:7171, got ${JSON.stringify(listen)}`,
    )
  }
  return { host, port }
}
