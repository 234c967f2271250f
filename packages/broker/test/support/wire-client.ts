// A test-only client that speaks frames with the protocol package: pipelined requests matched by
// correlationId, and raw-byte access for the malformed-input tests. Not @weir/client on purpose:
// the broker's tests must not depend on the client they will later check.
import { connect, type Socket } from 'node:net'
import {
  type ApiDefinition,
  apiByKey,
  decodeApiBody,
  decodeBody,
  encodeApiRequestFrame,
  encodeBody,
  encodeRequestFrame,
  FrameReader,
  parseResponseFrame,
  responseHeaderBytes,
} from '@weir/protocol'

interface Pending {
  readonly resolve: (body: unknown) => void
  readonly reject: (error: Error) => void
  /** The request's API and version, when sent with send(): the response body has that version's shape. */
  apiKey?: number
  apiVersion?: number
}

export class WireClient {
  private readonly reader = new FrameReader(64 * 1024 * 1024, responseHeaderBytes)
  private readonly pending = new Map<number, Pending>()
  private nextCorrelationId = 1
  /** Resolves when the broker (or we) closed the socket. */
  readonly closed: Promise<void>

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const payload of this.reader.push(chunk)) {
        const { correlationId, body } = parseResponseFrame(payload)
        const waiter = this.pending.get(correlationId)
        this.pending.delete(correlationId)
        waiter?.resolve(decodeResponse(waiter, body))
      }
    })
    socket.on('error', () => {})
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        for (const waiter of this.pending.values()) waiter.reject(new Error('connection closed'))
        this.pending.clear()
        resolve()
      }),
    )
  }

  static connect(port: number, host = '127.0.0.1'): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => {
        socket.removeListener('error', reject)
        resolve(new WireClient(socket))
      })
      socket.once('error', reject)
    })
  }

  /** Sends a typed request and decodes the typed response (throws if the response does not decode). */
  async call<Request, Response>(api: ApiDefinition<Request, Response>, request: Request): Promise<Response> {
    return api.decodeResponse(await this.send(api.apiKey, 0, encodeBody(request)))
  }

  /** Sends a typed request in `version`'s body shape (Produce v1 is segmented) and decodes the response in it. */
  async callVersion<Request, Response>(
    api: ApiDefinition<Request, Response>,
    version: number,
    request: Request,
  ): Promise<Response> {
    const correlationId = this.nextCorrelationId++
    const frame = encodeApiRequestFrame(
      api,
      { apiKey: api.apiKey, apiVersion: version, correlationId },
      request,
    )
    const response = this.expect(correlationId)
    Object.assign(this.pending.get(correlationId)!, { apiKey: api.apiKey, apiVersion: version })
    this.socket.write(Buffer.concat(frame))
    return api.decodeResponse(await response)
  }

  /** Sends a request frame with any header and body bytes; resolves with the decoded response body. */
  send(apiKey: number, apiVersion: number, body: Uint8Array): Promise<Record<string, unknown>> {
    const correlationId = this.nextCorrelationId++
    const frame = encodeRequestFrame({ apiKey, apiVersion, correlationId }, body)
    const response = this.expect(correlationId)
    Object.assign(this.pending.get(correlationId)!, { apiKey, apiVersion })
    this.socket.write(frame)
    return response as Promise<Record<string, unknown>>
  }

  /** Sends a request that gets no response (Produce acks 0). */
  sendOneWay(apiKey: number, body: Uint8Array): void {
    this.socket.write(
      encodeRequestFrame({ apiKey, apiVersion: 0, correlationId: this.nextCorrelationId++ }, body),
    )
  }

  /** Waits for the response to a correlation id sent with writeRaw. */
  expect(correlationId: number): Promise<unknown> {
    return new Promise((resolve, reject) => this.pending.set(correlationId, { resolve, reject }))
  }

  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes)
  }

  close(): Promise<void> {
    this.socket.end()
    this.socket.destroy()
    return this.closed
  }
}

/** Decodes a response in the body shape of the request's version (Fetch v1 is segmented), plain otherwise. */
function decodeResponse(waiter: Pending | undefined, body: Buffer): unknown {
  const api = waiter?.apiKey === undefined ? undefined : apiByKey(waiter.apiKey)
  const version = waiter?.apiVersion ?? 0
  if (api === undefined || version < api.versionMin || version > api.versionMax)
    return decodeBody(body, 'response')
  return decodeApiBody(api, 'response', version, body)
}
