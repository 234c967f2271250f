// One client connection: frames in, responses out, many requests in flight. Flow control is
// pull-based: the socket is paused while maxInFlightRequests requests run or while more than
// writeBufferBytesHigh response bytes wait to be sent, and resumed when that clears, so a client
// that does not read its responses cannot make the broker buffer without bound; past
// maxWriteBufferBytes, or above the mark for writeStallTimeoutMs, such a client is disconnected.
// Every byte read counts against the broker-wide RequestBudget until its request is answered (or
// the connection closes), and ConnectionDeadlines closes connections by whole frames, not bytes.
import {
  FrameReader,
  frameLengthBytes,
  settlesWithin,
  type Timer,
  type TransportSocket,
  writeFrame,
} from '@weir/protocol'
import type { Logger } from 'pino'
import { ConnectionDeadlines, type ExpiryReason } from './connection-deadlines.js'
import { type FrameDispatcher, type ResponseFrame, weirFrameDispatcher } from './dispatch.js'
import type { HandlerContext } from './handlers/index.js'
import { warnLimited } from './warning-rate-limit.js'

const timeoutMessages: Record<Exclude<ExpiryReason, 'idle'>, string> = {
  'no first frame': 'no complete request within limits.firstFrameTimeoutMs',
  'partial frame': 'a request frame took longer than limits.frameTimeoutMs to arrive',
  'write stall': 'the client left responses unread for limits.writeStallTimeoutMs',
}

/** How long a closing connection waits for the peer to answer our FIN before destroying it. */
const endGraceMs = 1000

/**
 * Largest frame before a connection authenticates (SASL on): SASL messages are a few hundred
 * bytes, so an anonymous peer cannot make the broker buffer a 16 MiB frame.
 */
export const unauthenticatedFrameBytesMax = 512 * 1024

export class Connection {
  private readonly reader: FrameReader
  /** Frames read but not started because maxInFlightRequests were running; at most one chunk's worth. */
  private readonly waiting: Buffer[] = []
  private inFlight = 0
  /** Bytes of this connection counted in the request budget: partial frame, waiting and in flight. */
  private accountedBytes = 0
  private inFlightBytes = 0
  private readonly deadlines: ConnectionDeadlines
  private readonly stopBudgetWatch: () => void
  private closing = false
  private closed = false
  private readonly whenIdle: (() => void)[] = []
  /** Closes a connection still unauthenticated once limits.authenticationTimeoutMs passed. */
  private authenticationTimer: Timer | undefined
  readonly closedPromise: Promise<void>

  constructor(
    private readonly socket: TransportSocket,
    private readonly context: HandlerContext,
    readonly logger: Logger,
    /** What each frame means: Weir's protocol, or the Kafka listener's (kafka/kafka-dispatch.ts). */
    private readonly dispatcher: FrameDispatcher = weirFrameDispatcher(context),
  ) {
    const { limits, environment } = context
    const mustAuthenticate = this.mustAuthenticate()
    this.reader = new FrameReader(
      mustAuthenticate ? Math.min(unauthenticatedFrameBytesMax, limits.maxFrameBytes) : limits.maxFrameBytes,
      dispatcher.frameBytesMin,
    )
    // A deadline from the moment of connecting, not an idle timer: a trickle of bytes or a stream
    // of ApiVersions requests cannot keep an anonymous connection open.
    if (mustAuthenticate)
      this.authenticationTimer = context.environment.timers.setTimeout(
        () => this.onAuthenticationTimeout(),
        limits.authenticationTimeoutMs,
      )
    socket.setNoDelay(true)
    this.deadlines = new ConnectionDeadlines(
      environment.clock,
      environment.timers,
      limits,
      () => this.inFlight > 0 || this.waiting.length > 0,
      (reason) => this.onExpired(reason),
    )
    this.stopBudgetWatch = context.requestBudget.onChange(() => this.updateFlow())
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => {
      this.startWaiting()
      this.updateFlow()
    })
    // 'close' follows; a reset by the peer is routine and not worth more than debug.
    socket.on('error', (error) => logger.debug({ err: error }, 'connection error'))
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.closed = true
        this.waiting.length = 0
        context.environment.timers.clear(this.authenticationTimer)
        this.reader.discard()
        this.deadlines.stop()
        this.stopBudgetWatch()
        // In-flight requests give back their bytes as they finish; the rest is dropped now.
        this.releaseBytes(this.accountedBytes - this.inFlightBytes)
        this.notifyIdle()
        logger.debug('connection closed')
        resolve()
      }),
    )
    // A new connection is not read while the budget is exceeded either.
    this.updateFlow()
  }

  /** The `listener` label of this connection's byte counters (metrics). */
  private get trafficListener(): string {
    return this.dispatcher.trafficListener ?? this.context.listener
  }

  /** Who is on the other end (changes once, when the connection authenticates). */
  get principal(): string {
    return this.context.session.principal
  }

  /** Closes at once, requests in flight unanswered: its principal lost the right to be here. */
  drop(reason: string): void {
    if (this.closed) return
    this.logger.info({ principal: this.principal }, `closing connection: ${reason}`)
    this.socket.destroy()
  }

  /** Stops reading, answers what was already read, then ends the socket (destroying it after `timeoutMs`). */
  async closeGracefully(timeoutMs: number): Promise<void> {
    this.closing = true
    this.updateFlow()
    const { timers } = this.context.environment
    await settlesWithin(timers, this.idle(), timeoutMs)
    this.socket.end()
    // A peer that does not read (its socket paused) never sees our FIN and never closes its side:
    // give it a moment to, then cut the connection instead of holding shutdown hostage.
    await settlesWithin(timers, this.closedPromise, endGraceMs)
    this.socket.destroy()
    await this.closedPromise
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return
    this.context.traffic?.bytesReceived(this.trafficListener, chunk.length)
    this.accountedBytes += chunk.length
    this.context.requestBudget.add(chunk.length)
    let frames: Buffer[]
    try {
      frames = this.reader.push(chunk)
    } catch (error) {
      // The length prefix is out of bounds: the stream cannot be resynchronised.
      this.warn({ reason: (error as Error).message }, 'closing connection: bad frame length')
      this.socket.destroy()
      return
    }
    // The length prefixes are done with; each payload is held until its request is answered.
    this.releaseBytes(frames.length * frameLengthBytes)
    this.deadlines.read(frames.length, this.reader.midFrame)
    this.waiting.push(...frames)
    this.startWaiting()
    this.updateFlow()
  }

  /** Starts read frames while under the in-flight limit and the unsent-bytes mark. */
  private startWaiting(): void {
    const { maxInFlightRequests, writeBufferBytesHigh } = this.context.limits
    while (
      !this.closed &&
      this.waiting.length > 0 &&
      this.inFlight < maxInFlightRequests &&
      this.socket.writableLength <= writeBufferBytesHigh
    ) {
      this.start(this.waiting.shift()!)
    }
  }

  private start(payload: Buffer): void {
    this.inFlight++
    this.inFlightBytes += payload.length
    void this.dispatcher.dispatch(payload).then(
      (outcome) => {
        if (outcome === 'close') this.finishClosing(payload.length)
        else this.finish(outcome, payload.length)
      },
      (error: unknown) => {
        this.logger.error({ err: error }, 'request dispatch failed')
        this.finish(undefined, payload.length)
      },
    )
  }

  /** The dispatcher logged why this connection cannot go on: answers already queued go out, then it ends. */
  private finishClosing(requestBytes: number): void {
    this.inFlight--
    this.inFlightBytes -= requestBytes
    this.releaseBytes(requestBytes)
    this.waiting.length = 0
    if (!this.closing) void this.closeGracefully(0)
    if (this.inFlight === 0) this.notifyIdle()
  }

  private countSent(parts: readonly Buffer[]): void {
    let bytes = 0
    for (const part of parts) bytes += part.length
    this.context.traffic?.bytesSent(this.trafficListener, bytes)
  }

  private finish(frame: ResponseFrame | undefined, requestBytes: number): void {
    this.inFlight--
    this.inFlightBytes -= requestBytes
    this.releaseBytes(requestBytes)
    // A client that went away mid-request simply does not get its answer.
    // Pooled read buffers the frame points into go back once the socket took the bytes (or at once when unsent).
    if (frame !== undefined && !this.closed && this.socket.writable) {
      if (this.context.traffic !== undefined) this.countSent(frame.parts)
      writeFrame(this.socket, frame.parts, frame.written)
    } else frame?.written()
    if ((this.context.sasl?.failed || this.context.peerSession?.failed) && !this.closing) {
      // The answer (SASL_AUTHENTICATION_FAILED, or CLUSTER_AUTHORIZATION_FAILED for a peer's wrong
      // proof) is on its way; nothing more is read or served.
      this.logger.debug('closing connection: authentication failed')
      this.waiting.length = 0
      void this.closeGracefully(0)
      return
    }
    if (this.context.session.authenticated) this.reader.raiseLimit(this.context.limits.maxFrameBytes)
    if (!this.closed && this.socket.writableLength > this.context.limits.maxWriteBufferBytes) {
      this.warn(
        {
          unsentBytes: this.socket.writableLength,
          maxWriteBufferBytes: this.context.limits.maxWriteBufferBytes,
        },
        'closing connection: the client does not read its responses (limits.maxWriteBufferBytes)',
      )
      this.socket.destroy()
      return
    }
    this.deadlines.answered()
    this.startWaiting()
    this.updateFlow()
    if (this.inFlight === 0 && this.waiting.length === 0) this.notifyIdle()
  }

  private updateFlow(): void {
    if (this.closed) return
    const { maxInFlightRequests, writeBufferBytesHigh } = this.context.limits
    const backlog = this.socket.writableLength > writeBufferBytesHigh
    this.deadlines.writeBacklog(backlog)
    const read =
      !this.closing &&
      this.waiting.length === 0 &&
      this.inFlight < maxInFlightRequests &&
      !backlog &&
      !this.context.requestBudget.full
    if (read && this.socket.isPaused()) this.socket.resume()
    else if (!read && !this.socket.isPaused()) this.socket.pause()
  }

  private mustAuthenticate(): boolean {
    return this.context.sasl !== undefined && !this.context.session.authenticated
  }

  private onAuthenticationTimeout(): void {
    if (this.context.session.authenticated || this.closed) return
    this.logger.debug(
      { authenticationTimeoutMs: this.context.limits.authenticationTimeoutMs },
      'closing connection: not authenticated in time',
    )
    this.socket.destroy()
  }

  private onExpired(reason: ExpiryReason): void {
    if (reason === 'idle') this.logger.debug('closing idle connection')
    else this.warn({ reason }, `closing connection: ${timeoutMessages[reason]}`)
    this.socket.destroy()
  }

  private releaseBytes(bytes: number): void {
    this.accountedBytes -= bytes
    this.context.requestBudget.release(bytes)
  }

  /** A warning about this client, at most one line per address per malformedWarningIntervalMs. */
  private warn(fields: object, message: string): void {
    const sink = {
      limiter: this.context.warnings,
      clock: this.context.environment.clock,
      logger: this.logger,
    }
    warnLimited(sink, this.context.clientHost, fields, message)
  }

  private idle(): Promise<void> {
    if (this.closed || (this.inFlight === 0 && this.waiting.length === 0)) return Promise.resolve()
    return new Promise((resolve) => this.whenIdle.push(resolve))
  }

  private notifyIdle(): void {
    for (const resolve of this.whenIdle.splice(0)) resolve()
  }
}
