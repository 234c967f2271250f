// The one Node adapter in protocol: Transport over node:net. The socket handed out is the
// net.Socket itself, no wrapper, because every produced and fetched byte passes through it. Its
// only job beyond node:net is turning Node's errno errors into WeirErrors that say what to do next.
import { createConnection, createServer } from 'node:net'
import type { Transport, TransportAddress, TransportListener, TransportSocket } from '../environment.js'
import { listenOn, whenReady } from './node-sockets.js'
import { connectError } from './transport-errors.js'

function connect(address: TransportAddress, timeoutMs: number): Promise<TransportSocket> {
  const socket = createConnection({ host: address.host, port: address.port })
  return whenReady(socket, 'connect', timeoutMs, (error) => connectError(address, error.message, error))
}

function listen(
  address: TransportAddress,
  accept: (socket: TransportSocket) => void,
): Promise<TransportListener> {
  const server = createServer({ pauseOnConnect: false })
  server.on('connection', accept)
  return listenOn(server, address)
}

/** Node's TCP. Errors: BROKER_UNAVAILABLE from connect, INVALID_CONFIG from listen (see Transport). */
export const tcpTransport: Transport = { connect, listen }
