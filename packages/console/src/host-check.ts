// DNS rebinding: a page on evil.example whose name is re-pointed at 127.0.0.1 would be same-origin
// with the console and could read its API. Browsers send the name they used in Host, so the
// console answers only names that cannot be re-pointed (IP literals, localhost) or the one it
// was told to listen on. Pure.
import { isIP } from 'node:net'

/** Whether a request with this Host header may be answered by a console listening on `listenHost`. */
export function hostAllowed(hostHeader: string | undefined, listenHost: string): boolean {
  if (hostHeader === undefined) return true // HTTP/1.0 tools; browsers always send Host.
  const name = hostName(hostHeader)
  if (name === undefined) return false
  return isIP(name) !== 0 || name === 'localhost' || name === listenHost.toLowerCase()
}

function hostName(header: string): string | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(header.trim())
  if (match === null) return undefined
  const name = match[1]!.toLowerCase()
  return name.startsWith('[') ? name.slice(1, -1) : name
}
