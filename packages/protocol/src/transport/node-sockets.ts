// What the TCP and TLS transports share: waiting for a dialled socket to become ready (within a
// timeout, errors in the transport's words) and binding a Node server (its bound port, a close
// that waits). Only the socket and server constructors differ between them.
import type { Server, Socket } from 'node:net'
import type { TransportAddress, TransportListener } from '../environment.js'
import { listenError } from './transport-errors.js'

/** Resolves with `socket` once it emits `ready`; rejects (destroying it) on error or timeout. */
export function whenReady<S extends Socket>(
  socket: S,
  ready: 'connect' | 'secureConnect',
  timeoutMs: number,
  failure: (error: Error) => Error,
): Promise<S> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(failure(error))
    }
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    socket.once('error', fail)
    socket.once(ready, () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve(socket)
    })
  })
}

/** Binds `server` to `address`; listen errors become the transport's INVALID_CONFIG errors. */
export function listenOn(server: Server, address: TransportAddress): Promise<TransportListener> {
  const { host, port } = address
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, address)))
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
