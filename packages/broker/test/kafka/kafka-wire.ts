// A raw Kafka-protocol socket for tests: writes request frames built by the codec, reads whole
// response frames in order, and tells when the broker closed the connection.
import { connect, type Socket } from 'node:net'
import { Kafka } from '@weir/protocol'

export class KafkaWire {
  private buffered = Buffer.alloc(0)
  private readonly frames: Buffer[] = []
  private readonly waiters: ((frame: Buffer | undefined) => void)[] = []
  private ended = false
  readonly closed: Promise<void>
  private correlationId = 0

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', () => {})
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true
        for (const waiter of this.waiters.splice(0)) waiter(undefined)
        resolve()
      }),
    )
  }

  static connect(port: number): Promise<KafkaWire> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new KafkaWire(socket)))
      socket.once('error', reject)
    })
  }

  /** Sends one request; returns its correlation id. */
  send<Request extends object>(
    api: Kafka.KafkaApi<Request, unknown>,
    version: number,
    request: Request,
  ): number {
    const correlationId = ++this.correlationId
    this.socket.write(
      Kafka.encodeKafkaRequest(api, { apiVersion: version, correlationId, clientId: 'kafka-wire' }, request),
    )
    return correlationId
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** The next response frame (after the u32 size), or undefined once the connection closed. */
  nextFrame(): Promise<Buffer | undefined> {
    const frame = this.frames.shift()
    if (frame !== undefined) return Promise.resolve(frame)
    if (this.ended) return Promise.resolve(undefined)
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  async call<Request extends object, Response>(
    api: Kafka.KafkaApi<Request, Response>,
    version: number,
    request: Request,
  ): Promise<Response> {
    const correlationId = this.send(api, version, request)
    const frame = await this.nextFrame()
    if (frame === undefined) throw new Error(`connection closed before the ${api.name} answer`)
    const decoded = Kafka.decodeKafkaResponse(api, version, frame)
    if (decoded.correlationId !== correlationId)
      throw new Error(`answer ${decoded.correlationId} to request ${correlationId}`)
    return decoded.response
  }

  close(): void {
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk])
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0)
      if (this.buffered.length < 4 + size) break
      const frame = this.buffered.subarray(4, 4 + size)
      this.buffered = this.buffered.subarray(4 + size)
      const waiter = this.waiters.shift()
      if (waiter !== undefined) waiter(frame)
      else this.frames.push(frame)
    }
  }
}
