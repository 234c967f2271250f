// A bare Weir connection for the attack benchmark: typed calls matched by correlation id, raw
// bytes for frames no client would send, and a choice of local address so that one machine can
// play several attacking hosts (127.0.0.2, 127.0.0.3, ... are all loopback on Linux).
import { connect, type Socket } from 'node:net'
import {
  type ApiDefinition,
  decodeBody,
  encodeBody,
  encodeRequestFrame,
  FrameReader,
  parseResponseFrame,
  responseHeaderBytes,
} from '@weir/protocol'

export interface Endpoint {
  readonly host: string
  readonly port: number
}

export function parseEndpoint(address: string): Endpoint {
  const [host, port] = address.split(':')
  return { host: host!, port: Number(port) }
}

export class RawConnection {
  private readonly reader = new FrameReader(256 * 1024 * 1024, responseHeaderBytes)
  private readonly pending = new Map<number, (body: unknown) => void>()
  private nextCorrelationId = 1
  readonly closed: Promise<void>

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const payload of this.reader.push(chunk)) {
        const { correlationId, body } = parseResponseFrame(payload)
        const resolve = this.pending.get(correlationId)
        this.pending.delete(correlationId)
        resolve?.(decodeBody(body, 'response'))
      }
    })
    socket.on('error', () => {})
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
  }

  static open(endpoint: Endpoint, localAddress?: string): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ ...endpoint, localAddress }, () => {
        socket.off('error', reject)
        resolve(new RawConnection(socket))
      })
      socket.once('error', reject)
    })
  }

  async call<Request, Response>(api: ApiDefinition<Request, Response>, request: Request): Promise<Response> {
    return api.decodeResponse(await this.send(api.apiKey, encodeBody(request)))
  }

  /** Sends any body under any API key; resolves with the decoded body, whatever its shape. */
  send(apiKey: number, body: Uint8Array): Promise<Record<string, unknown>> {
    const correlationId = this.nextCorrelationId++
    const answer = new Promise<unknown>((resolve) => this.pending.set(correlationId, resolve))
    this.socket.write(encodeRequestFrame({ apiKey, apiVersion: 0, correlationId }, body))
    return answer as Promise<Record<string, unknown>>
  }

  writeRaw(bytes: Uint8Array): boolean {
    return this.socket.write(bytes)
  }

  destroy(): Promise<void> {
    this.socket.destroy()
    return this.closed
  }
}
