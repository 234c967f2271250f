// The one Node adapter in protocol: Transport over node:net. The socket handed out is the
// net.Socket itself, no wrapper, because every produced and fetched byte passes through it. Its
// only job beyond node:net is turning Node's errno errors into WeirErrors that say what to do next.
import { createConnection, createServer, type Socket } from 'node:net'
import type { Transport, TransportAddress, TransportListener, TransportSocket } from '../environment.js'
import { connectError, listenError } from './transport-errors.js'

function connect(address: TransportAddress, timeoutMs: number): Promise<TransportSocket> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createConnection({ host: address.host, port: address.port })
    const fail = (detail: string, cause?: unknown) => {
      clearTimeout(timer)
      socket.destroy()
      reject(connectError(address, detail, cause))
    }
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs)
    socket.once('error', (error) => fail(error.message, error))
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve(socket)
    })
  })
}

function listen(
  address: TransportAddress,
  accept: (socket: TransportSocket) => void,
): Promise<TransportListener> {
  const { host, port } = address
  return new Promise((resolve, reject) => {
    const server = createServer({ pauseOnConnect: false })
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, address)))
    server.on('connection', accept)
    server.listen({ host, port }, () => {
      server.removeAllListeners('error')
      // After binding, errors concern single accepted connections, which report on their own socket.
      server.on('error', () => {})
      const bound = server.address()
      resolve({
        port: typeof bound === 'object' && bound !== null ? bound.port : port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      })
    })
  })
}

/** Node's TCP. Errors: BROKER_UNAVAILABLE from connect, INVALID_CONFIG from listen (see Transport). */
export const tcpTransport: Transport = { connect, listen }
