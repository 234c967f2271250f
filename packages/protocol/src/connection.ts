// One connection to one broker over an injected Transport, pipelined: many requests in flight,
// responses matched by correlationId. The client's cluster and the broker's peer links both use
// it. The number in flight is bounded (`inFlightMax`); callers past it wait for a slot in FIFO
// order. A dropped connection rejects everything in flight with CONNECTION_CLOSED (retriable) and
// is never reused: the owner opens a new one, with backoff (see Redialer).
// Versions: an API this build speaks in one version only is sent in it. For an API with newer
// versions (Fetch and Produce v1 send records as raw segments), the connection asks the broker's
// ApiVersions once, on first use, and sends the highest version both speak, so a newer client
// still talks to an older broker.
import { type ApiDefinition, ApiVersions } from './apis/index.js'
import type { Timer, Timers, Transport, TransportSocket } from './environment.js'
import { FrameReader, parseResponseFrame } from './frame.js'
import { decodeApiBody, encodeApiRequestFrame, writeFrame } from './frame-body.js'
import type { ReceiveBufferPool } from './receive-buffer-pool.js'
import { errorFromWire, WeirError } from './weir-error.js'

export interface ConnectionOptions {
  readonly host: string
  readonly port: number
  readonly connectTimeoutMs: number
  /** Per request; a request without an answer by then fails and drops the connection. */
  readonly requestTimeoutMs: number
  /** Requests on the wire at once, at least 1; more callers wait in FIFO order. */
  readonly inFlightMax: number
  /** The largest response frame accepted; a larger one drops the connection. */
  readonly frameBytesMax: number
  /**
   * Large response frames are assembled in buffers from here; the requester that gets the
   * response owns its hold (see ReceiveBufferPool). Absent: every frame gets a fresh buffer.
   */
  readonly receivePool?: ReceiveBufferPool
  readonly transport: Transport
  readonly timers: Timers
}

interface Pending {
  readonly api: ApiDefinition<unknown, unknown>
  readonly version: number
  readonly resolve: (response: unknown) => void
  readonly reject: (error: WeirError) => void
  readonly timer: Timer
}

export interface RequestOptions {
  /** Added to the connection's request timeout: a long-poll Fetch may legitimately wait this long. */
  readonly extraTimeoutMs?: number
}

export class Connection {
  readonly address: string
  private readonly pending = new Map<number, Pending>()
  private readonly slotWaiters: Array<() => void> = []
  private readonly reader: FrameReader
  private nextCorrelationId = 1
  private inFlight = 0
  private closedError: WeirError | undefined
  /** The broker's highest version of each API, asked once (see versionFor). */
  private brokerVersions: Promise<ReadonlyMap<number, number>> | undefined

  private constructor(
    private readonly socket: TransportSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.address = `${options.host}:${options.port}`
    this.reader = new FrameReader(options.frameBytesMax, undefined, options.receivePool)
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (error) =>
      this.fail(new WeirError('CONNECTION_CLOSED', `${this.address}: ${error.message}`, { cause: error })),
    )
    socket.on('close', () =>
      this.fail(new WeirError('CONNECTION_CLOSED', `connection to ${this.address} closed`)),
    )
  }

  /** Opens a connection; BROKER_UNAVAILABLE (retriable) when the broker cannot be reached in time. */
  static async open(options: ConnectionOptions): Promise<Connection> {
    const socket = await options.transport.connect(
      { host: options.host, port: options.port },
      options.connectTimeoutMs,
    )
    return new Connection(socket, options)
  }

  get closed(): boolean {
    return this.closedError !== undefined
  }

  get inFlightCount(): number {
    return this.inFlight
  }

  /** Sends a request and resolves with its checked response; a request-level error code throws. */
  async request<Request, Response>(
    api: ApiDefinition<Request, Response>,
    body: Request,
    options: RequestOptions = {},
  ): Promise<Response> {
    await this.acquireSlot()
    try {
      const version = await this.versionFor(api)
      const response = await this.exchange(api, version, body, options)
      const error = response as { errorCode?: number; errorMessage?: string }
      if (error.errorCode) throw errorFromWire(error.errorCode, error.errorMessage)
      return response
    } finally {
      this.releaseSlot()
    }
  }

  /** Sends a request the broker never answers (Produce with acks 0); resolves once the bytes are written. */
  async send<Request>(api: ApiDefinition<Request, unknown>, body: Request): Promise<void> {
    await this.acquireSlot()
    try {
      const version = await this.versionFor(api)
      this.assertOpen()
      const { frame } = this.frame(api, version, body)
      await new Promise<void>((resolve, reject) => {
        writeFrame(this.socket, frame, (error) =>
          error
            ? reject(new WeirError('CONNECTION_CLOSED', `write to ${this.address} failed`, { cause: error }))
            : resolve(),
        )
      })
    } finally {
      this.releaseSlot()
    }
  }

  close(): void {
    this.fail(new WeirError('CLIENT_CLOSED', `connection to ${this.address} closed by the client`))
  }

  /**
   * The version to send `api` in: the highest this build and the broker both speak. The broker is
   * asked once per connection, outside the in-flight slots (the caller already holds one); a
   * broker that refuses ApiVersions is taken to speak version 0 of everything.
   */
  private async versionFor(api: ApiDefinition<unknown, unknown>): Promise<number> {
    if (api.versionMax === 0) return 0
    this.brokerVersions ??= this.exchange(ApiVersions, 0, {}, {}).then(
      (response) => new Map(response.apis.map((range) => [range.apiKey, range.versionMax])),
      () => new Map<number, number>(),
    )
    const brokerMax = (await this.brokerVersions).get(api.apiKey) ?? 0
    return Math.max(api.versionMin, Math.min(api.versionMax, brokerMax))
  }

  private exchange<Request, Response>(
    api: ApiDefinition<Request, Response>,
    version: number,
    body: Request,
    options: RequestOptions,
  ): Promise<Response> {
    this.assertOpen()
    const { frame, correlationId } = this.frame(api, version, body)
    return new Promise<Response>((resolve, reject) => {
      const timeoutMs = this.options.requestTimeoutMs + (options.extraTimeoutMs ?? 0)
      const timer = this.options.timers.setTimeout(() => {
        // The entry stays out of the map: a late response for this id is then ignored.
        this.pending.delete(correlationId)
        reject(
          new WeirError(
            'REQUEST_TIMED_OUT',
            `${api.name} to ${this.address} got no response in ${timeoutMs} ms`,
          ),
        )
        // A peer that stopped answering may never answer again (half-open socket, broker shutting
        // down): drop the connection so the retry opens a fresh one, as Kafka clients do.
        this.fail(new WeirError('CONNECTION_CLOSED', `a request to ${this.address} timed out`))
      }, timeoutMs)
      this.pending.set(correlationId, {
        api: api as ApiDefinition<unknown, unknown>,
        version,
        resolve: resolve as (response: unknown) => void,
        reject,
        timer,
      })
      writeFrame(this.socket, frame)
    })
  }

  private frame<Request>(
    api: ApiDefinition<Request, unknown>,
    version: number,
    body: Request,
  ): { frame: Buffer[]; correlationId: number } {
    const correlationId = this.nextCorrelationId
    this.nextCorrelationId = correlationId >= 0x7fff_ffff ? 1 : correlationId + 1
    const header = { apiKey: api.apiKey, apiVersion: version, correlationId }
    return { frame: encodeApiRequestFrame(api, header, body), correlationId }
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[]
    try {
      frames = this.reader.push(chunk)
    } catch (error) {
      this.fail(new WeirError('CONNECTION_CLOSED', `bad frame from ${this.address}`, { cause: error }))
      return
    }
    for (const payload of frames) this.onFrame(payload)
  }

  private onFrame(payload: Buffer): void {
    let correlationId: number
    let body: Buffer
    try {
      ;({ correlationId, body } = parseResponseFrame(payload))
    } catch (error) {
      this.fail(
        new WeirError('CONNECTION_CLOSED', `bad response header from ${this.address}`, { cause: error }),
      )
      return
    }
    const pending = this.pending.get(correlationId)
    if (pending === undefined) return // timed out earlier
    this.pending.delete(correlationId)
    this.options.timers.clear(pending.timer)
    let decoded: unknown
    try {
      decoded = decodeApiBody(pending.api, 'response', pending.version, body)
      pending.resolve(pending.api.decodeResponse(decoded))
    } catch (error) {
      // A broker that refused the whole request answers { errorCode, errorMessage } only: report
      // its error, not the missing fields of a full response.
      const refusal = decoded as { errorCode?: unknown; errorMessage?: unknown } | undefined
      if (typeof refusal?.errorCode === 'number' && refusal.errorCode !== 0) {
        const message = typeof refusal.errorMessage === 'string' ? refusal.errorMessage : undefined
        pending.reject(errorFromWire(refusal.errorCode, message))
        return
      }
      pending.reject(
        error instanceof WeirError
          ? error
          : new WeirError('INVALID_REQUEST', `${pending.api.name} response`, { cause: error }),
      )
    }
  }

  private fail(error: WeirError): void {
    if (this.closedError !== undefined) return
    this.closedError = error
    this.socket.destroy()
    for (const pending of this.pending.values()) {
      this.options.timers.clear(pending.timer)
      pending.reject(
        error.code === 'CLIENT_CLOSED'
          ? error
          : new WeirError('CONNECTION_CLOSED', `${pending.api.name} in flight when ${error.message}`, {
              cause: error,
            }),
      )
    }
    this.pending.clear()
    for (const wake of this.slotWaiters.splice(0)) wake()
  }

  private assertOpen(): void {
    if (this.closedError !== undefined) {
      throw this.closedError.code === 'CLIENT_CLOSED'
        ? this.closedError
        : new WeirError('CONNECTION_CLOSED', `connection to ${this.address} is closed`, {
            cause: this.closedError,
          })
    }
  }

  private async acquireSlot(): Promise<void> {
    while (this.inFlight >= this.options.inFlightMax && !this.closed) {
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve))
    }
    this.inFlight++
  }

  private releaseSlot(): void {
    this.inFlight--
    this.slotWaiters.shift()?.()
  }
}
