// The one Node adapter in protocol: Transport over node:net. The socket handed out is the
// net.Socket itself, no wrapper, because every produced and fetched byte passes through it. Its
// only job beyond node:net is turning Node's errno errors into WeirErrors that say what to do next.
import { createConnection, createServer, type Socket } from 'node:net'
import type { Transport, TransportAddress, TransportListener, TransportSocket } from '../environment.js'
import { WeirError } from '../weir-error.js'

function connect(address: TransportAddress, timeoutMs: number): Promise<TransportSocket> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createConnection({ host: address.host, port: address.port })
    const fail = (detail: string, cause?: unknown) => {
      clearTimeout(timer)
      socket.destroy()
      reject(
        new WeirError(
          'BROKER_UNAVAILABLE',
          `cannot connect to ${address.host}:${address.port}: ${detail}; check that a broker listens there (the client retries with backoff)`,
          { cause },
        ),
      )
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
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)))
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

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new WeirError(
      'INVALID_CONFIG',
      `port ${port} on ${host} is already in use (another weir broker?); stop that process or pass --listen ${host}:<free port>`,
      { cause: error },
    )
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EACCES') {
    return new WeirError(
      'INVALID_CONFIG',
      `cannot listen on ${host}:${port} (${error.code}): ${error.message}`,
      {
        cause: error,
      },
    )
  }
  return error
}

/** Node's TCP. Errors: BROKER_UNAVAILABLE from connect, INVALID_CONFIG from listen (see Transport). */
export const tcpTransport: Transport = { connect, listen }
