// One connection to one broker over an injected Transport, pipelined: many requests in flight,
// responses matched by correlationId. The client's cluster and the broker's peer links both use
// it. The number in flight is bounded (`inFlightMax`); callers past it wait for a slot in FIFO
// order. A dropped connection rejects everything in flight with CONNECTION_CLOSED (retriable) and
// is never reused: the owner opens a new one, with backoff (see Redialer).
import type { ApiDefinition } from './apis/index.js'
import { decodeBody, encodeBody } from './body-codec.js'
import type { Timer, Timers, Transport, TransportSocket } from './environment.js'
import { encodeRequestFrame, FrameReader, parseResponseFrame } from './frame.js'
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
  readonly transport: Transport
  readonly timers: Timers
}

interface Pending {
  readonly api: ApiDefinition<unknown, unknown>
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

  private constructor(
    private readonly socket: TransportSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.address = `${options.host}:${options.port}`
    this.reader = new FrameReader(options.frameBytesMax)
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
      const response = await this.exchange(api, body, options)
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
      this.assertOpen()
      const { frame } = this.frame(api, body)
      await new Promise<void>((resolve, reject) => {
        this.socket.write(frame, (error) =>
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

  private exchange<Request, Response>(
    api: ApiDefinition<Request, Response>,
    body: Request,
    options: RequestOptions,
  ): Promise<Response> {
    this.assertOpen()
    const { frame, correlationId } = this.frame(api, body)
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
        resolve: resolve as (response: unknown) => void,
        reject,
        timer,
      })
      this.socket.write(frame)
    })
  }

  private frame<Request>(
    api: ApiDefinition<Request, unknown>,
    body: Request,
  ): { frame: Buffer; correlationId: number } {
    const correlationId = this.nextCorrelationId
    this.nextCorrelationId = correlationId >= 0x7fff_ffff ? 1 : correlationId + 1
    const header = { apiKey: api.apiKey, apiVersion: api.versionMax, correlationId }
    return { frame: encodeRequestFrame(header, encodeBody(body)), correlationId }
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
      decoded = decodeBody(body, pending.api.name)
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
