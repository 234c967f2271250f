// The HTTP listener of --metrics-listen: GET /metrics (Prometheus text exposition), /health (200
// while the process serves) and /ready (200, or 503 with what is not ready as JSON). Anything else
// is 404, other methods 405. Plain HTTP on its own port, apart from the Weir protocol listener, so
// a scraper or a load balancer needs no Weir client.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WeirError } from '@weir/protocol'
import type { Readiness } from './readiness.js'

export interface MetricsEndpoints {
  /** The exposition text and its content type. */
  metrics(): Promise<{ readonly contentType: string; readonly text: string }>
  readiness(): Readiness
}

export interface MetricsListener {
  readonly host: string
  readonly port: number
  close(): Promise<void>
}

export async function listenMetrics(
  address: { readonly host: string; readonly port: number },
  endpoints: MetricsEndpoints,
  onError: (error: unknown) => void,
): Promise<MetricsListener> {
  const server = createServer((request, response) => {
    answer(request, response, endpoints).catch((error: unknown) => {
      onError(error)
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' })
      response.end('metrics collection failed; see the broker log\n')
    })
  })
  // Scrapers keep connections alive; close() must not wait for them.
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE' ? 'is in use' : `cannot be bound (${error.code ?? error.message})`
      reject(
        new WeirError(
          'INVALID_CONFIG',
          `metricsListen ${address.host}:${address.port} ${why}; give another --metrics-listen HOST:PORT, or off`,
        ),
      )
    })
    server.listen({ host: address.host, port: address.port }, () => resolve())
  })
  const bound = server.address() as AddressInfo
  return { host: address.host, port: bound.port, close: () => closeServer(server) }
}

async function answer(request: IncomingMessage, response: ServerResponse, endpoints: MetricsEndpoints) {
  const path = (request.url ?? '/').split('?')[0]
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
    response.end('only GET and HEAD are served\n')
    return
  }
  if (path === '/metrics') {
    const { contentType, text } = await endpoints.metrics()
    response.writeHead(200, { 'content-type': contentType })
    response.end(text)
  } else if (path === '/health') {
    json(response, 200, { status: 'up' })
  } else if (path === '/ready') {
    const { ready, reasons } = endpoints.readiness()
    json(response, ready ? 200 : 503, ready ? { status: 'ready' } : { status: 'not ready', reasons })
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' })
    response.end('not found: GET /metrics, /health or /ready\n')
  }
}

function json(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(`${JSON.stringify(body)}\n`)
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
