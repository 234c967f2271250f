// Connections to the other brokers of the cluster, one per peer, dialled on demand. Raft messages
// for a peer are queued and flushed once per event-loop turn as ONE RaftMessages request holding
// every group's messages: that is how heartbeats (and appends) of many partitions are coalesced.
// Losing messages is fine (Raft resends), so a link that is down drops its queue and redials
// with backoff; a full queue drops new messages rather than growing without bound.
import { Connection } from '@weir/client'
import {
  type ApiDefinition,
  type LeaderNews,
  type RaftEnvelope,
  RaftMessages,
  WeirError,
} from '@weir/protocol'
import type { Logger } from 'pino'
import type { Peer } from './peers.js'

export interface PeerLinkLimits {
  readonly connectTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly frameBytesMax: number
  /** Raft messages queued for one peer before new ones are dropped. */
  readonly queuedMessagesMax: number
  readonly queuedBytesMax: number
}

export const defaultPeerLinkLimits: PeerLinkLimits = {
  connectTimeoutMs: 1000,
  requestTimeoutMs: 5000,
  frameBytesMax: 64 * 1024 * 1024,
  queuedMessagesMax: 100_000,
  queuedBytesMax: 32 * 1024 * 1024,
}

const backoffMs = { first: 50, max: 1000 }

class PeerLink {
  private connection: Connection | undefined
  private connecting: Promise<Connection> | undefined
  private retryAtMs = 0
  private failures = 0
  private queue: RaftEnvelope[] = []
  private queuedBytes = 0
  private news = new Map<string, LeaderNews>()
  private flushScheduled = false
  closed = false

  constructor(
    readonly peer: Peer,
    private readonly selfId: number,
    private readonly limits: PeerLinkLimits,
    private readonly logger: Logger,
  ) {}

  enqueue(envelope: RaftEnvelope, bytes: number): void {
    if (
      this.queue.length >= this.limits.queuedMessagesMax ||
      this.queuedBytes + bytes > this.limits.queuedBytesMax
    )
      return
    this.queue.push(envelope)
    this.queuedBytes += bytes
    this.scheduleFlush()
  }

  announce(news: LeaderNews): void {
    this.news.set(news.group, news)
    this.scheduleFlush()
  }

  /** A connection to the peer, dialling when there is none (and the backoff allows). */
  async open(): Promise<Connection> {
    if (this.connection !== undefined && !this.connection.closed) return this.connection
    if (this.closed) throw new WeirError('BROKER_SHUTTING_DOWN', `link to broker ${this.peer.id} closed`)
    if (Date.now() < this.retryAtMs) {
      throw new WeirError(
        'BROKER_UNAVAILABLE',
        `broker ${this.peer.id} at ${this.address} is unreachable; retrying`,
      )
    }
    this.connecting ??= Connection.open({
      host: this.peer.host,
      port: this.peer.port,
      connectTimeoutMs: this.limits.connectTimeoutMs,
      requestTimeoutMs: this.limits.requestTimeoutMs,
      inFlightMax: 64,
      frameBytesMax: this.limits.frameBytesMax,
    }).then(
      (connection) => {
        this.connection = connection
        this.connecting = undefined
        if (this.failures > 0)
          this.logger.info({ peer: this.peer.id }, `reconnected to broker ${this.peer.id}`)
        this.failures = 0
        return connection
      },
      (error: unknown) => {
        this.connecting = undefined
        this.failures++
        this.retryAtMs = Date.now() + Math.min(backoffMs.max, backoffMs.first * 2 ** (this.failures - 1))
        if (this.failures === 1)
          this.logger.warn(
            { peer: this.peer.id, err: error },
            `cannot reach broker ${this.peer.id} at ${this.address}`,
          )
        throw error
      },
    )
    return this.connecting
  }

  get address(): string {
    return `${this.peer.host}:${this.peer.port}`
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.closed) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      void this.flush()
    })
  }

  private async flush(): Promise<void> {
    if (this.queue.length === 0 && this.news.size === 0) return
    const messages = this.queue
    const leaders = [...this.news.values()]
    this.queue = []
    this.queuedBytes = 0
    let connection: Connection
    try {
      connection = await this.open()
    } catch {
      return // Raft resends; leader news is re-announced periodically.
    }
    this.news.clear()
    connection.request(RaftMessages, { from: this.selfId, messages, leaders }).catch((error: unknown) => {
      this.logger.debug({ peer: this.peer.id, err: error }, 'raft messages not delivered')
      for (const item of leaders) if (!this.news.has(item.group)) this.news.set(item.group, item)
    })
  }

  close(): void {
    this.closed = true
    this.connection?.close()
    this.queue = []
  }
}

export class PeerLinks {
  private readonly links = new Map<number, PeerLink>()

  constructor(
    readonly selfId: number,
    peers: readonly Peer[],
    limits: PeerLinkLimits,
    logger: Logger,
  ) {
    for (const peer of peers) {
      if (peer.id !== selfId) this.links.set(peer.id, new PeerLink(peer, selfId, limits, logger))
    }
  }

  send(to: number, envelope: RaftEnvelope, bytes: number): void {
    this.links.get(to)?.enqueue(envelope, bytes)
  }

  /** Tells every peer who leads `news.group`. */
  announce(news: LeaderNews): void {
    for (const link of this.links.values()) link.announce(news)
  }

  /** One request to one peer. Errors: BROKER_UNAVAILABLE, CONNECTION_CLOSED, the response's error. */
  async request<Request, Response>(
    to: number,
    api: ApiDefinition<Request, Response>,
    body: Request,
  ): Promise<Response> {
    const link = this.links.get(to)
    if (link === undefined) throw new WeirError('BROKER_UNAVAILABLE', `broker ${to} is not in --peers`)
    const connection = await link.open()
    return connection.request(api, body)
  }

  close(): void {
    for (const link of this.links.values()) link.close()
  }
}
