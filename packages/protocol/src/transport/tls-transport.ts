// Transport over node:tls, for client TLS and peer mTLS. Like tcpTransport it hands out Node's own
// socket (a TLSSocket), so the produce and fetch paths add no wrapper; the broker reads the peer's
// certificate subject from it (`peerSubject`). TLS 1.2 is the floor; Node negotiates 1.3 when both
// sides have it. A handshake that does not finish within `handshakeTimeoutMs` is dropped, so a
// silent socket cannot hold a connection slot before it has proven anything.
import { createServer, type TLSSocket, connect as tlsConnect } from 'node:tls'
import type { Transport, TransportAddress, TransportListener, TransportSocket } from '../environment.js'
import { WeirError } from '../weir-error.js'
import { listenOn, whenReady } from './node-sockets.js'
import { connectError } from './transport-errors.js'

export interface TlsOptions {
  /** PEM certificate chain this side presents (required to listen; to connect, only for mTLS). */
  readonly cert?: string | Buffer
  /** PEM private key of `cert`. */
  readonly key?: string | Buffer
  /** PEM CA bundle that the other side's certificate must chain to (default: Node's public roots). */
  readonly ca?: string | Buffer
  /** Connect: the name checked against the server certificate (default: the host). */
  readonly servername?: string
  /** Listen: ask every client for a certificate and refuse those without a valid one (mTLS). */
  readonly requireClientCertificate?: boolean
  /** Listen: how long a client has to finish the handshake (default 10 s). */
  readonly handshakeTimeoutMs?: number
}

const defaultHandshakeTimeoutMs = 10_000

/** The subject of the certificate the other side presented, as `CN=a,O=b`; undefined without one. */
export function peerSubject(socket: TransportSocket): string | undefined {
  const tls = socket as Partial<TLSSocket>
  if (typeof tls.getPeerCertificate !== 'function' || tls.authorized !== true) return undefined
  const subject = tls.getPeerCertificate().subject as Record<string, string | string[]> | undefined
  if (subject === undefined || Object.keys(subject).length === 0) return undefined
  return Object.entries(subject)
    .map(([field, value]) => `${field}=${Array.isArray(value) ? value.join('+') : value}`)
    .join(',')
}

/** Whether the socket came from a TLS transport (so credentials sent on it are not in clear). */
export function isEncrypted(socket: TransportSocket): boolean {
  return (socket as Partial<TLSSocket>).encrypted === true
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':')
}

export function tlsTransport(options: TlsOptions): Transport {
  const minVersion = 'TLSv1.2' as const
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? defaultHandshakeTimeoutMs

  function connect(address: TransportAddress, timeoutMs: number): Promise<TransportSocket> {
    const servername = options.servername ?? (isIpAddress(address.host) ? undefined : address.host)
    const socket = tlsConnect({
      host: address.host,
      port: address.port,
      minVersion,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.cert !== undefined ? { cert: options.cert } : {}),
      ...(options.key !== undefined ? { key: options.key } : {}),
      ...(servername !== undefined ? { servername } : {}),
    })
    return whenReady(socket, 'secureConnect', timeoutMs, (error) => tlsConnectError(address, error))
  }

  function listen(
    address: TransportAddress,
    accept: (socket: TransportSocket) => void,
  ): Promise<TransportListener> {
    if (options.cert === undefined || options.key === undefined) {
      return Promise.reject(
        new WeirError(
          'INVALID_CONFIG',
          'a TLS listener needs a certificate and its key (--tls-cert, --tls-key)',
        ),
      )
    }
    const server = createServer({
      cert: options.cert,
      key: options.key,
      minVersion,
      handshakeTimeout: handshakeTimeoutMs,
      requestCert: options.requireClientCertificate === true,
      rejectUnauthorized: options.requireClientCertificate === true,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    })
    server.on('secureConnection', accept)
    // A failed handshake (wrong CA, plain TCP, a scanner) concerns that socket only.
    server.on('tlsClientError', (_error, socket) => socket.destroy())
    return listenOn(server, address)
  }

  return { connect, listen }
}

function tlsConnectError(address: TransportAddress, error: Error): WeirError {
  const code = (error as NodeJS.ErrnoException).code ?? ''
  // A certificate problem is configuration, not a broker that is down: retrying cannot fix it.
  if (
    /CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|HOSTNAME|SSL|TLS/i.test(code) ||
    /certificate/i.test(error.message)
  ) {
    return new WeirError(
      'INVALID_CONFIG',
      `TLS handshake with ${address.host}:${address.port} failed (${code || error.message}): ${error.message}; check the CA (--tls-ca), the certificate and servername`,
      { cause: error },
    )
  }
  return connectError(address, error.message, error)
}
