// The console's HTTP server: the page's static files and the JSON API (console-routes.ts), on
// node:http. No login: it binds to loopback by default, refuses cross-site writes (a POST must be
// JSON from the console's own origin) and the page runs no inline script (Content-Security-Policy).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Client } from '@weir/client'
import { WeirError } from '@weir/protocol'
import { ConsoleApi } from './console-api.js'
import { matchRoute } from './console-routes.js'
import { hostAllowed } from './host-check.js'
import { errorAnswer } from './http-status.js'
import { consoleUrl, defaultConsoleListen, type ListenAddress, parseListenAddress } from './listen-address.js'
import { staticFile } from './static-files.js'

/** Largest request body (a produced test message) read. */
export const requestBodyBytesMax = 1 << 20

export interface ConsoleOptions {
  /** Makes a client for the cluster (the console closes every client it makes). */
  readonly newClient: () => Client
  /** HOST:PORT to bind; default 127.0.0.1:9172, port 0 picks a free one. */
  readonly listen?: string
}

export interface ConsoleServer {
  readonly address: ListenAddress
  /** What to open in a browser. */
  readonly url: string
  close(): Promise<void>
}

const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const

/** Binds and serves; INVALID_CONFIG for a bad address, or when it is in use or not available. */
export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  const wanted = parseListenAddress(options.listen ?? defaultConsoleListen)
  const api = new ConsoleApi({ newClient: options.newClient })
  const server = createServer((request, response) => void handle(api, wanted.host, request, response))
  try {
    await listen(server, wanted)
  } catch (error) {
    await api.close()
    throw error
  }
  const bound = server.address() as AddressInfo
  const address = { host: wanted.host, port: bound.port }
  return {
    address,
    url: consoleUrl(address),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await api.close()
    },
  }
}

function listen(server: Server, address: ListenAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new WeirError(
          'INVALID_CONFIG',
          `the console cannot listen on ${address.host}:${address.port} (${error.code ?? error.message}); pick another --listen / --console-listen address`,
          { cause: error },
        ),
      ),
    )
    server.listen(address.port, address.host, () => resolve())
  })
}

async function handle(
  api: ConsoleApi,
  listenHost: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (!hostAllowed(request.headers.host, listenHost)) {
    response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', ...securityHeaders })
    response.end(
      `host ${request.headers.host} refused: open the console by IP address or localhost, or start it listening on that name\n`,
    )
    return
  }
  try {
    const url = new URL(request.url ?? '/', 'http://console.invalid')
    const method = request.method ?? 'GET'
    const route = matchRoute(method, url.pathname, url.searchParams)
    if (route === undefined) return await serveStatic(url.pathname, method, response)
    if (route.kind === 'wrong-method') {
      response.setHeader('allow', route.allowed)
      return sendJson(response, 405, {
        error: { code: 'INVALID_CONSOLE_REQUEST', message: `use ${route.allowed} for ${url.pathname}` },
      })
    }
    const body = route.method === 'POST' ? await readJsonBody(request) : undefined
    sendJson(response, 200, await route.call(api, body))
  } catch (error) {
    const answer = errorAnswer(
      error instanceof URIError ? invalid('the path is not valid percent-encoding') : error,
    )
    sendJson(response, answer.status, answer.body)
  }
}

async function serveStatic(pathname: string, method: string, response: ServerResponse): Promise<void> {
  const file = method === 'GET' || method === 'HEAD' ? await staticFile(pathname) : undefined
  if (file === undefined) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...securityHeaders })
    response.end('not found: the console serves / and /api/...\n')
    return
  }
  response.writeHead(200, { 'content-type': file.type, ...securityHeaders })
  response.end(method === 'HEAD' ? undefined : file.body)
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...securityHeaders })
  response.end(text)
}

function invalid(message: string): WeirError {
  return new WeirError('INVALID_CONSOLE_REQUEST', message)
}

/**
 * A POST from another site cannot send application/json without a CORS preflight, which this
 * server never grants; a browser also names its origin, which must be this server's.
 */
async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'] ?? ''
  if (!/^application\/json\b/i.test(type))
    throw invalid('send the body as JSON (content-type: application/json)')
  const origin = request.headers.origin
  if (origin !== undefined && origin !== 'null' && new URL(origin).host !== request.headers.host)
    throw invalid(`a write from origin ${origin} is refused: use the console page served by this server`)
  if (origin === 'null') throw invalid('a write from an opaque origin is refused: use the console page')
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length
    if (bytes > requestBodyBytesMax)
      throw invalid(`the body is over ${requestBodyBytesMax} bytes; send a smaller test message`)
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (error) {
    throw invalid(`the body is not JSON: ${(error as Error).message}`)
  }
}
