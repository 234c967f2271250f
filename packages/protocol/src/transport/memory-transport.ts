// An in-memory network of named hosts for tests and the seeded multi-broker simulation. Every
// delivery, timeout and port choice goes through the Timers and random it is built with, so with
// virtual timers and a seeded random a run is the same every time (no Node timers, no
// setImmediate, no Math.random in here).
//
// By default the sockets behave like TCP: the bytes of each write arrive whole and in order after
// a latency, a paused reader holds a bounded receive window and then stalls its sender (whose
// writableLength grows and whose write() returns false until 'drain'), end() half-closes after the
// queued bytes, and a socket closes once both directions have ended. The faults break that on
// purpose. A partition or a crash resets sockets. The write-fate hook drops, duplicates or delays
// whole write() calls: that violates TCP, which never loses, repeats or reorders bytes, and it is
// how the simulation models lost, repeated and reordered messages. Weir's writers put whole frames
// in each write(), so the framing stays intact under every fate.
import { EventEmitter } from 'node:events'
import type {
  Timer,
  Timers,
  Transport,
  TransportAddress,
  TransportListener,
  TransportSocket,
} from '../environment.js'
import { addressInUseError, cannotListenError, connectError } from './transport-errors.js'

/** What happens to one write() call. Unset fields mean "as TCP would". */
export interface WriteFate {
  /** Lost on the way; the writer's callback still reports success. */
  readonly drop?: boolean
  /** Delivered twice, the copy right after the original. */
  readonly duplicate?: boolean
  /** Delivered this much later than the latency says, overtaken by later writes. */
  readonly extraDelayMs?: number
}

/** Decides each write's fate; `from` and `to` are host names, `bytes` the whole write. */
export type WriteFateHook = (from: string, to: string, bytes: Uint8Array) => WriteFate | undefined

export interface MemoryNetworkOptions {
  readonly timers: Timers
  /** Uniform in [0, 1); picks ephemeral ports. */
  readonly random: () => number
  /**
   * How long one write (or a connection's handshake, with `bytes` 0) takes from `from` to `to`.
   * 0 means the next `defer`. Default: always 0.
   */
  readonly latencyMs?: (from: string, to: string, bytes: number) => number
  /** Unsent bytes past which write() returns false. Default 16 KiB (Node's). */
  readonly highWaterMarkBytes?: number
  /** Bytes a paused reader holds before its sender's bytes stop moving. Default 64 KiB. */
  readonly receiveWindowBytes?: number
}

const ephemeralPortFirst = 32_768
const ephemeralPortCount = 28_232 // up to 60 999, as Linux
const wildcardHosts = new Set(['', '0.0.0.0', '::'])

interface MemoryListener {
  readonly host: string
  readonly port: number
  readonly accept: (socket: TransportSocket) => void
}

/** One write (or the end-of-stream mark) on its way from one socket to its peer. */
interface Segment {
  readonly bytes: Buffer | 'end'
  /** Bytes counted in the sender's writableLength until delivery (0 for copies and the end mark). */
  readonly countedBytes: number
  readonly callback: ((error?: Error | null) => void) | undefined
  arrived: boolean
}

export class MemoryNetwork {
  readonly timers: Timers
  private readonly random: () => number
  private readonly latency: (from: string, to: string, bytes: number) => number
  readonly highWaterMarkBytes: number
  readonly receiveWindowBytes: number
  private readonly listeners = new Map<string, MemoryListener>()
  private readonly portsInUse = new Map<string, Set<number>>()
  private readonly socketsOf = new Map<string, Set<MemorySocket>>()
  private readonly views = new Map<string, Set<MemoryTransport>>()
  private readonly partitions = new Set<string>()
  private readonly isolated = new Set<string>()
  private writeFate: WriteFateHook | undefined

  constructor(options: MemoryNetworkOptions) {
    this.timers = options.timers
    this.random = options.random
    this.latency = options.latencyMs ?? (() => 0)
    this.highWaterMarkBytes = options.highWaterMarkBytes ?? 16 * 1024
    this.receiveWindowBytes = options.receiveWindowBytes ?? 64 * 1024
  }

  /** The network as seen from `host`: what a broker or client process running there is handed. */
  transport(host: string): Transport {
    const view = new MemoryTransport(this, host)
    let views = this.views.get(host)
    if (views === undefined) this.views.set(host, (views = new Set()))
    views.add(view)
    return view
  }

  /** Cuts the link between two hosts both ways: their sockets reset, new connects time out. */
  partition(hostA: string, hostB: string): void {
    this.partitions.add(pairKey(hostA, hostB))
    for (const socket of [...(this.socketsOf.get(hostA) ?? [])]) {
      if (socket.remoteHost === hostB) this.reset(socket, `partitioned from ${hostB}`)
    }
  }

  /** Cuts `host` off from every other host, present and future, until healed. */
  isolate(host: string): void {
    this.isolated.add(host)
    for (const socket of [...(this.socketsOf.get(host) ?? [])]) {
      if (socket.remoteHost !== host) this.reset(socket, 'isolated from the network')
    }
  }

  /** Heals the pair; with one host, everything cutting that host off; with none, every partition. */
  heal(hostA?: string, hostB?: string): void {
    if (hostA === undefined) {
      this.partitions.clear()
      this.isolated.clear()
    } else if (hostB === undefined) {
      this.isolated.delete(hostA)
      for (const key of [...this.partitions]) {
        if (JSON.parse(key).includes(hostA)) this.partitions.delete(key)
      }
    } else {
      this.partitions.delete(pairKey(hostA, hostB))
    }
  }

  /** Resets every socket of `host` (both ends see ECONNRESET); its listeners stay. */
  cutConnections(host: string): void {
    for (const socket of [...(this.socketsOf.get(host) ?? [])]) this.reset(socket, 'connection reset')
  }

  /**
   * A crash of the process on `host`: its listeners go, its sockets vanish (no events on that host;
   * the far ends see ECONNRESET), and the transports handed out for it so far stop working (a
   * restarted process asks for a new one).
   */
  closeHost(host: string): void {
    for (const view of this.views.get(host) ?? []) view.alive = false
    this.views.delete(host)
    for (const [key, listener] of [...this.listeners]) {
      if (listener.host !== host) continue
      this.listeners.delete(key)
      this.ports(host).delete(listener.port)
    }
    // The crashed process runs no more code: its own ends vanish without events, the far ends reset.
    for (const socket of [...(this.socketsOf.get(host) ?? [])]) {
      socket.reset(undefined)
      if (socket.peer?.localHost !== host) socket.peer?.reset(resetError('the peer host crashed'))
    }
  }

  /** Sets (or with undefined removes) the hook deciding the fate of each write. */
  setWriteFate(hook: WriteFateHook | undefined): void {
    this.writeFate = hook
  }

  /** Whether `from` and `to` can reach each other right now. */
  reachable(from: string, to: string): boolean {
    if (from === to) return true
    return !this.isolated.has(from) && !this.isolated.has(to) && !this.partitions.has(pairKey(from, to))
  }

  /** Sockets open on `host` (both ends count on a host that connects to itself). */
  socketCount(host: string): number {
    return this.socketsOf.get(host)?.size ?? 0
  }

  // ---- used by MemoryTransport and MemorySocket ----

  /** Runs `callback` after the latency from `from` to `to`. */
  schedule(from: string, to: string, bytes: number, extraDelayMs: number, callback: () => void): void {
    const delayMs = this.latency(from, to, bytes) + extraDelayMs
    if (delayMs > 0) this.timers.setTimeout(callback, delayMs)
    else this.timers.defer(callback)
  }

  fateOf(from: string, to: string, bytes: Uint8Array): WriteFate {
    return this.writeFate?.(from, to, bytes) ?? {}
  }

  async listen(
    host: string,
    address: TransportAddress,
    accept: (socket: TransportSocket) => void,
  ): Promise<TransportListener> {
    if (address.host !== host && !wildcardHosts.has(address.host)) {
      throw cannotListenError(address, 'EADDRNOTAVAIL', `this process runs on host ${host}`)
    }
    let port = address.port
    if (port === 0) port = this.freePort(host)
    else if (this.ports(host).has(port)) throw addressInUseError({ host, port })
    const key = `${host}:${port}`
    this.ports(host).add(port)
    this.listeners.set(key, { host, port, accept })
    const listener: TransportListener = {
      port,
      close: async () => {
        if (this.listeners.get(key)?.accept !== accept) return
        this.listeners.delete(key)
        this.ports(host).delete(port)
      },
    }
    return listener
  }

  connect(host: string, address: TransportAddress, timeoutMs: number): Promise<TransportSocket> {
    return new Promise((resolve, reject) => {
      let settled = false
      const timer: Timer = this.timers.setTimeout(() => {
        settled = true
        reject(connectError(address, `no answer within ${timeoutMs} ms`))
      }, timeoutMs)
      // An unreachable host never answers: only the timeout above ends the attempt.
      if (!this.reachable(host, address.host)) return
      this.schedule(host, address.host, 0, 0, () => {
        if (settled || !this.reachable(host, address.host)) return
        settled = true
        this.timers.clear(timer)
        const listener = this.listeners.get(`${address.host}:${address.port}`)
        if (listener === undefined) {
          reject(connectError(address, 'connection refused (nothing listens on that port)'))
          return
        }
        const [client, server] = this.pair(host, listener)
        listener.accept(server)
        resolve(client)
      })
    })
  }

  forget(socket: MemorySocket): void {
    this.socketsOf.get(socket.localHost)?.delete(socket)
    // An accepted socket shares its listener's port; only a dialling socket owns its port.
    if (!socket.accepted) this.ports(socket.localHost).delete(socket.localPort)
  }

  private pair(host: string, listener: MemoryListener): [MemorySocket, MemorySocket] {
    const localPort = this.freePort(host)
    const client = new MemorySocket(this, host, localPort, listener.host, listener.port)
    const server = new MemorySocket(this, listener.host, listener.port, host, localPort, { accepted: true })
    client.peer = server
    server.peer = client
    this.ports(host).add(localPort)
    this.track(client)
    this.track(server)
    return [client, server]
  }

  private track(socket: MemorySocket): void {
    let sockets = this.socketsOf.get(socket.localHost)
    if (sockets === undefined) this.socketsOf.set(socket.localHost, (sockets = new Set()))
    sockets.add(socket)
  }

  private reset(socket: MemorySocket, reason: string): void {
    const peer = socket.peer
    socket.reset(resetError(reason))
    peer?.reset(resetError(reason))
  }

  private ports(host: string): Set<number> {
    let ports = this.portsInUse.get(host)
    if (ports === undefined) this.portsInUse.set(host, (ports = new Set()))
    return ports
  }

  /** A free ephemeral port: a random start, then the next free one (bounded by the range). */
  private freePort(host: string): number {
    const ports = this.ports(host)
    const start = Math.floor(this.random() * ephemeralPortCount)
    for (let step = 0; step < ephemeralPortCount; step++) {
      const port = ephemeralPortFirst + ((start + step) % ephemeralPortCount)
      if (!ports.has(port)) return port
    }
    throw cannotListenError({ host, port: 0 }, 'EADDRNOTAVAIL', 'every ephemeral port is in use')
  }
}

class MemoryTransport implements Transport {
  alive = true

  constructor(
    private readonly network: MemoryNetwork,
    readonly host: string,
  ) {}

  connect(address: TransportAddress, timeoutMs: number): Promise<TransportSocket> {
    if (!this.alive) return Promise.reject(connectError(address, `host ${this.host} crashed`))
    return this.network.connect(this.host, address, timeoutMs)
  }

  listen(address: TransportAddress, accept: (socket: TransportSocket) => void): Promise<TransportListener> {
    if (!this.alive) {
      return Promise.reject(cannotListenError(address, 'EADDRNOTAVAIL', `host ${this.host} crashed`))
    }
    return this.network.listen(this.host, address, accept)
  }
}

/** One end of an in-memory connection, with the events and flow control of a net.Socket. */
export class MemorySocket extends EventEmitter implements TransportSocket {
  peer: MemorySocket | undefined
  /** The listener's side of a connection: it shares the listener's port instead of owning one. */
  readonly accepted: boolean
  private readonly inFlight: Segment[] = []
  private unsentBytes = 0
  private needDrain = false
  private paused = false
  private readonly received: Buffer[] = []
  private receivedBytes = 0
  private endReceived = false
  private endEmitted = false
  private ending = false
  private endDelivered = false
  private destroyed = false
  private idleMs = 0
  private idleTimer: Timer | undefined
  private flushScheduled = false

  constructor(
    private readonly network: MemoryNetwork,
    readonly localHost: string,
    readonly localPort: number,
    readonly remoteHost: string,
    readonly remotePort: number,
    /** `accepted` for the listener's side of a connection, which shares the listener's port. */
    options: { readonly accepted?: boolean } = {},
  ) {
    super()
    this.accepted = options.accepted ?? false
  }

  get remoteAddress(): string {
    return this.remoteHost
  }

  get writableLength(): number {
    return this.unsentBytes
  }

  get writable(): boolean {
    return !this.destroyed && !this.ending
  }

  isPaused(): boolean {
    return this.paused
  }

  write(data: Uint8Array, callback?: (error?: Error | null) => void): boolean {
    if (!this.writable) {
      const error = streamError(this.destroyed ? 'ERR_STREAM_DESTROYED' : 'ERR_STREAM_WRITE_AFTER_END')
      if (callback) this.network.timers.defer(() => callback(error))
      return false
    }
    this.touch()
    // A copy: the caller may reuse its buffer once write() returns, as with a kernel send buffer.
    const bytes = Buffer.from(data)
    const fate = this.network.fateOf(this.localHost, this.remoteHost, bytes)
    if (fate.drop) {
      if (callback) this.network.timers.defer(() => callback(null))
    } else {
      this.send({ bytes, countedBytes: bytes.length, callback, arrived: false }, fate.extraDelayMs ?? 0)
      if (fate.duplicate) this.send({ bytes, countedBytes: 0, callback: undefined, arrived: false }, 0)
    }
    const belowMark = this.unsentBytes < this.network.highWaterMarkBytes
    if (!belowMark) this.needDrain = true
    return belowMark
  }

  end(): this {
    if (this.ending || this.destroyed) return this
    this.ending = true
    this.send({ bytes: 'end', countedBytes: 0, callback: undefined, arrived: false }, 0)
    return this
  }

  destroy(error?: Error): this {
    if (this.destroyed) return this
    this.destroyed = true
    this.network.timers.clear(this.idleTimer)
    this.network.forget(this)
    const peer = this.peer
    // Bytes already on the wire still arrive, then the peer sees the end of the stream.
    if (!this.ending && peer !== undefined && !peer.destroyed) {
      this.ending = true
      this.send({ bytes: 'end', countedBytes: 0, callback: undefined, arrived: false }, 0)
    }
    this.received.length = 0
    this.network.timers.defer(() => {
      if (error !== undefined) this.emit('error', error)
      this.emit('close', error !== undefined)
    })
    return this
  }

  /**
   * An abrupt end (RST): bytes in flight from here are lost, then destroy(error). Without an error
   * (the host crashed) the socket just stops: no callback or event runs on the dead host.
   */
  reset(error: Error | undefined): void {
    if (this.destroyed) return
    this.ending = true // no end-of-stream mark follows a reset
    const lost = this.inFlight.splice(0)
    for (const segment of lost) this.unsentBytes -= segment.countedBytes
    if (error === undefined) {
      this.destroyed = true
      this.network.timers.clear(this.idleTimer)
      this.network.forget(this)
      return
    }
    for (const { callback } of lost) if (callback) this.network.timers.defer(() => callback(error))
    this.destroy(error)
  }

  pause(): this {
    this.paused = true
    return this
  }

  resume(): this {
    if (!this.paused) return this
    this.paused = false
    this.scheduleFlush()
    return this
  }

  setNoDelay(): this {
    return this
  }

  setTimeout(ms: number): this {
    this.idleMs = ms
    this.touch()
    return this
  }

  // ---- the wire ----

  private send(segment: Segment, extraDelayMs: number): void {
    const peer = this.peer
    if (peer === undefined) return
    this.unsentBytes += segment.countedBytes
    const size = segment.bytes === 'end' ? 0 : segment.bytes.length
    if (extraDelayMs > 0) {
      // Reordered on purpose: delivered when it lands, whatever is still in flight before it.
      this.network.schedule(this.localHost, this.remoteHost, size, extraDelayMs, () => {
        this.unsentBytes -= segment.countedBytes
        if (segment.bytes !== 'end') peer.receive(segment.bytes)
        segment.callback?.(null)
        this.afterDelivery()
      })
      return
    }
    this.inFlight.push(segment)
    this.network.schedule(this.localHost, this.remoteHost, size, 0, () => {
      segment.arrived = true
      this.pump()
    })
  }

  /** Hands arrived segments to the peer in write order, while its receive window has room. */
  private pump(): void {
    const peer = this.peer
    if (peer === undefined) return
    for (let head = this.inFlight[0]; head?.arrived; head = this.inFlight[0]) {
      if (head.bytes !== 'end' && peer.windowFull()) break
      this.inFlight.shift()
      this.unsentBytes -= head.countedBytes
      if (head.bytes === 'end') {
        this.endDelivered = true
        peer.receiveEnd()
      } else {
        peer.receive(head.bytes)
      }
      head.callback?.(null)
    }
    this.afterDelivery()
  }

  private afterDelivery(): void {
    if (this.needDrain && this.unsentBytes === 0 && !this.destroyed) {
      this.needDrain = false
      this.emit('drain')
    }
    this.closeIfDone()
  }

  private windowFull(): boolean {
    return this.paused && this.receivedBytes >= this.network.receiveWindowBytes
  }

  private receive(bytes: Buffer): void {
    if (this.destroyed) return
    this.touch()
    if (this.paused || this.received.length > 0) {
      this.received.push(bytes)
      this.receivedBytes += bytes.length
      return
    }
    this.emit('data', bytes)
  }

  private receiveEnd(): void {
    if (this.destroyed) return
    this.endReceived = true
    if (this.received.length === 0 && !this.paused) this.emitEnd()
  }

  private emitEnd(): void {
    if (this.endEmitted) return
    this.endEmitted = true
    this.emit('end')
    // Node's allowHalfOpen is false by default: the end of the peer's stream ends this one too.
    this.end()
    this.closeIfDone()
  }

  private closeIfDone(): void {
    if (this.destroyed || !this.endEmitted || !this.endDelivered) return
    this.destroyed = true
    this.network.timers.clear(this.idleTimer)
    this.network.forget(this)
    this.network.timers.defer(() => this.emit('close', false))
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    this.network.timers.defer(() => {
      this.flushScheduled = false
      this.flushReceived()
    })
  }

  /** After resume(): buffered bytes first, then the end of the stream, then let the sender go on. */
  private flushReceived(): void {
    while (!this.paused && !this.destroyed) {
      const chunk = this.received.shift()
      if (chunk === undefined) break
      this.receivedBytes -= chunk.length
      this.emit('data', chunk)
    }
    if (this.paused || this.destroyed) return
    if (this.endReceived) this.emitEnd()
    this.peer?.pump()
  }

  private touch(): void {
    if (this.idleMs <= 0 || this.destroyed) {
      this.network.timers.clear(this.idleTimer)
      this.idleTimer = undefined
      return
    }
    this.network.timers.clear(this.idleTimer)
    this.idleTimer = this.network.timers.setTimeout(() => {
      this.idleTimer = undefined
      if (!this.destroyed) this.emit('timeout')
    }, this.idleMs)
  }
}

function pairKey(hostA: string, hostB: string): string {
  return JSON.stringify(hostA < hostB ? [hostA, hostB] : [hostB, hostA])
}

function resetError(reason: string): Error {
  return Object.assign(new Error(`read ECONNRESET (${reason})`), { code: 'ECONNRESET' })
}

function streamError(code: string): Error {
  const message = code === 'ERR_STREAM_DESTROYED' ? 'socket destroyed' : 'write after end'
  return Object.assign(new Error(message), { code })
}
