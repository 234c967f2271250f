// A TCP proxy for one peer link (broker i dialling broker j's peer port), so faults can be put on
// the link from the chaos process without iptables or root. Each direction of the link has its own
// state: `hold` keeps the bytes (an iptables DROP: the connection stays up, nothing arrives, and
// what TCP would have retransmitted arrives after the heal unless a side gave up first) and
// `delayMs` delays every chunk by base ± jitter while keeping their order (like netem). `reset`
// closes every connection with a TCP RST and resets new ones until healed (an iptables REJECT).
//
// A direction is named from the dialer: `forward` carries the dialer's bytes (its requests),
// `backward` the target's (its answers). Broker i's requests to j travel forward on link i→j, and
// i's answers to j's requests travel backward on link j→i: a one-way partition i→j holds both.
import { connect, createServer, type Server, type Socket } from 'node:net'
import type { Random } from './prng.js'

export type Direction = 'forward' | 'backward'

export interface DelaySpec {
  readonly baseMs: number
  readonly jitterMs: number
}

/** What one direction does to the bytes that cross it. */
export interface DirectionState {
  hold: boolean
  delay: DelaySpec | undefined
}

/**
 * Bytes held or delayed in one direction of one connection. Past this the connection is closed,
 * as TCP would give up on a peer that never acknowledges: memory stays bounded however long a
 * partition lasts.
 */
export const maxQueuedBytesPerDirection = 64 * 1024 * 1024

/** One connection's queue in one direction: chunks in arrival order, each released at its time. */
class DirectionQueue {
  private readonly chunks: Array<{ bytes: Buffer; releaseAtMs: number | undefined }> = []
  private queuedBytes = 0
  private lastReleaseMs = 0
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly state: DirectionState,
    private readonly random: Random,
    private readonly output: Socket,
    private readonly overflow: () => void,
  ) {}

  push(bytes: Buffer): void {
    this.queuedBytes += bytes.length
    if (this.queuedBytes > maxQueuedBytesPerDirection) {
      this.overflow()
      return
    }
    this.chunks.push({ bytes, releaseAtMs: undefined })
    this.pump()
  }

  /** Sends every chunk whose time has come; arms one timer for the next. Called on every change. */
  pump(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    const now = Date.now()
    while (this.chunks.length > 0 && !this.state.hold) {
      const head = this.chunks[0]!
      head.releaseAtMs ??= this.releaseTime(now)
      if (head.releaseAtMs > now) {
        this.timer = setTimeout(() => this.pump(), head.releaseAtMs - now)
        return
      }
      this.chunks.shift()
      this.queuedBytes -= head.bytes.length
      if (!this.output.destroyed) this.output.write(head.bytes)
    }
  }

  private releaseTime(now: number): number {
    const delay = this.state.delay
    if (delay === undefined) return now
    const sampleMs = delay.baseMs - delay.jitterMs + this.random.next() * 2 * delay.jitterMs
    // Never before the previous chunk: a TCP stream is delayed, not reordered.
    this.lastReleaseMs = Math.max(this.lastReleaseMs, now + Math.max(0, sampleMs))
    return this.lastReleaseMs
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.chunks.length = 0
  }
}

export class LinkProxy {
  readonly states: Record<Direction, DirectionState> = {
    forward: { hold: false, delay: undefined },
    backward: { hold: false, delay: undefined },
  }
  private resetting = false
  private readonly connections = new Set<{ client: Socket; upstream: Socket; queues: DirectionQueue[] }>()

  private constructor(
    private readonly server: Server,
    /** The port the dialer is given instead of the target's. */
    readonly port: number,
    private readonly targetPort: number,
    private readonly random: Random,
  ) {
    server.on('connection', (client) => this.accept(client))
  }

  /** Listens on 127.0.0.1:`port` (0: any free port) and forwards to 127.0.0.1:`targetPort`. */
  static async start(port: number, targetPort: number, random: Random): Promise<LinkProxy> {
    const server = createServer({ noDelay: true })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: '127.0.0.1', port }, () => resolve())
    })
    const address = server.address()
    const bound = typeof address === 'object' && address !== null ? address.port : port
    return new LinkProxy(server, bound, targetPort, random)
  }

  private accept(client: Socket): void {
    if (this.resetting) {
      client.resetAndDestroy()
      return
    }
    const upstream = connect({ host: '127.0.0.1', port: this.targetPort, noDelay: true })
    const entry = { client, upstream, queues: [] as DirectionQueue[] }
    const closeBoth = () => {
      for (const queue of entry.queues) queue.close()
      client.destroy()
      upstream.destroy()
      this.connections.delete(entry)
    }
    const forward = new DirectionQueue(this.states.forward, this.random, upstream, closeBoth)
    const backward = new DirectionQueue(this.states.backward, this.random, client, closeBoth)
    entry.queues.push(forward, backward)
    this.connections.add(entry)
    client.on('data', (bytes) => forward.push(bytes))
    upstream.on('data', (bytes) => backward.push(bytes))
    // Either side closing or failing ends the link: the broker on the other side redials.
    for (const socket of [client, upstream]) {
      socket.on('error', closeBoth)
      socket.on('close', closeBoth)
    }
  }

  /** Re-applies the direction states to queued bytes (call after changing `states`). */
  update(): void {
    for (const connection of this.connections) for (const queue of connection.queues) queue.pump()
  }

  /** Resets every connection and every new one until `heal()`. */
  reset(): void {
    this.resetting = true
    for (const { client, upstream, queues } of this.connections) {
      for (const queue of queues) queue.close()
      client.resetAndDestroy()
      upstream.resetAndDestroy()
    }
    this.connections.clear()
  }

  /** Back to a clean link: no hold, no delay, no reset; held bytes are delivered. */
  heal(): void {
    this.resetting = false
    for (const direction of ['forward', 'backward'] as const) {
      this.states[direction].hold = false
      this.states[direction].delay = undefined
    }
    this.update()
  }

  get openConnections(): number {
    return this.connections.size
  }

  async close(): Promise<void> {
    for (const { client, upstream, queues } of this.connections) {
      for (const queue of queues) queue.close()
      client.destroy()
      upstream.destroy()
    }
    this.connections.clear()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
