// Connections to the other brokers of the cluster, one per peer, dialled on demand. Raft messages
// for a peer are queued and flushed once per event-loop turn as ONE RaftMessages request holding
// every group's messages: that is how heartbeats (and appends) of many partitions are coalesced.
// Losing messages is fine (Raft resends), so a link that is down drops its queue and redials
// with backoff (the Redialer both sides share); a full queue drops new messages rather than growing
// without bound. Everything from the world (transport, timers, clock) comes from the Environment.
// Links dial each peer's peer port (never its client port), over TLS with this broker's
// certificate under mutual TLS, and authenticate every new connection (@weir/protocol's authenticatePeer) before
// anything else is sent on it.
import {
  type ApiDefinition,
  authenticatePeer,
  Connection,
  type Environment,
  type LeaderNews,
  peerNonceBytes,
  type RaftEnvelope,
  RaftMessages,
  Redialer,
  type Transport,
  WeirError,
} from '@weir/protocol'
import type { Logger } from 'pino'
import { type PeerSecurity, peerTransport } from './peer-security.js'
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

/** What a link needs to authenticate its connections. */
export interface PeerHandshake {
  readonly security: PeerSecurity
  /** Cryptographic randomness for nonces. */
  readonly randomBytes: (size: number) => Buffer
}

class PeerLink {
  private readonly redialer: Redialer<Connection>
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
    private readonly environment: Environment,
    handshake: PeerHandshake,
  ) {
    const address = `${peer.host}:${peer.peerPort}`
    const transport = peerTransport(handshake.security, environment.transport)
    this.redialer = new Redialer({
      description: `broker ${peer.id} at ${address}`,
      dial: () => this.dial(transport, handshake),
      clock: environment.clock,
      timers: environment.timers,
      backoffMs: backoffMs.first,
      backoffMsMax: backoffMs.max,
      closedError: () => new WeirError('BROKER_SHUTTING_DOWN', `link to broker ${peer.id} closed`),
      onReconnected: () => logger.info({ peer: peer.id }, `reconnected to broker ${peer.id}`),
      onDialFailed: (error, failures) => {
        if (failures === 1)
          logger.warn({ peer: peer.id, err: error }, `cannot reach broker ${peer.id} at ${address}`)
      },
    })
  }

  private async dial(transport: Transport, handshake: PeerHandshake): Promise<Connection> {
    const { peer, limits, environment } = this
    const connection = await Connection.open({
      host: peer.host,
      port: peer.peerPort,
      connectTimeoutMs: limits.connectTimeoutMs,
      requestTimeoutMs: limits.requestTimeoutMs,
      inFlightMax: 64,
      frameBytesMax: limits.frameBytesMax,
      transport,
      timers: environment.timers,
    })
    try {
      await authenticatePeer(connection, {
        selfId: this.selfId,
        peerId: peer.id,
        address: `${peer.host}:${peer.peerPort}`,
        secret: handshake.security.kind === 'secret' ? handshake.security.secret : undefined,
        nonce: handshake.randomBytes(peerNonceBytes),
      })
    } catch (error) {
      connection.close()
      throw error
    }
    return connection
  }

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

  /**
   * A connection to the peer, dialling when there is none and the backoff allows. Errors:
   * BROKER_UNAVAILABLE while backing off or when the dial fails, BROKER_SHUTTING_DOWN after close().
   */
  open(): Promise<Connection> {
    return this.redialer.connect({ waitForBackoff: false })
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.closed) return
    this.flushScheduled = true
    this.environment.timers.defer(() => {
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
    this.redialer.close()
    this.queue = []
  }
}

export class PeerLinks {
  private readonly links = new Map<number, PeerLink>()

  constructor(
    readonly selfId: number,
    peers: readonly Peer[],
    private readonly limits: PeerLinkLimits,
    private readonly logger: Logger,
    private readonly environment: Environment,
    private readonly handshake: PeerHandshake | undefined,
  ) {
    for (const peer of peers) {
      if (peer.id === selfId) continue
      // Options refuse a cluster without peer security before anything starts.
      if (handshake === undefined)
        throw new Error(`assertion: no peer security for a cluster (broker ${peer.id})`)
      this.links.set(peer.id, new PeerLink(peer, selfId, limits, logger, environment, handshake))
    }
  }

  /**
   * Follows the cluster's membership (add-broker, remove-broker): a link for each broker that has
   * none, none for a broker no longer listed, a new one for a broker whose address changed.
   */
  sync(peers: readonly Peer[]): void {
    const handshake = this.handshake
    // A broker alone has no peer security and no peer listener: it never links to anyone.
    if (handshake === undefined) return
    const wanted = new Map(peers.filter((peer) => peer.id !== this.selfId).map((peer) => [peer.id, peer]))
    for (const [id, link] of this.links) {
      const peer = wanted.get(id)
      if (peer !== undefined && sameAddress(peer, link.peer)) continue
      link.close()
      this.links.delete(id)
    }
    for (const peer of wanted.values()) {
      if (this.links.has(peer.id)) continue
      const { selfId, limits, logger, environment } = this
      this.links.set(peer.id, new PeerLink(peer, selfId, limits, logger, environment, handshake))
      logger.info({ peer: peer.id }, `linked to broker ${peer.id} at ${peer.host}:${peer.peerPort}`)
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
    if (link === undefined)
      throw new WeirError('BROKER_UNAVAILABLE', `broker ${to} is not a broker of this cluster`)
    const connection = await link.open()
    return connection.request(api, body)
  }

  close(): void {
    for (const link of this.links.values()) link.close()
  }
}

function sameAddress(left: Peer, right: Peer): boolean {
  return left.host === right.host && left.port === right.port && left.peerPort === right.peerPort
}
