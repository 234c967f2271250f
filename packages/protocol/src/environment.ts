// Everything the broker and the client take from the world outside the program: the clock, timers,
// randomness and the network. Code above this layer never calls Date.now, setTimeout, setImmediate,
// Math.random or node:net directly; it is handed an Environment. The real one (nodeEnvironment,
// with the TCP transport) wraps Node; a seeded simulation hands in a virtual clock, virtual timers,
// a seeded random and an in-memory network, and so runs a whole cluster deterministically in one
// process. This file only declares the contract; implementations live beside it.

/** An armed timer. `unref` keeps a Node process from staying alive for it (a no-op when simulated). */
export interface Timer {
  unref(): unknown
}

export interface Timers {
  setTimeout(callback: () => void, delayMs: number): Timer
  setInterval(callback: () => void, intervalMs: number): Timer
  /** Cancels a timer from either setter; undefined and already-fired timers are fine. */
  clear(timer: Timer | undefined): void
  /**
   * Runs `callback` once the current turn's pending I/O callbacks have run (Node's setImmediate):
   * used to coalesce everything one turn produced (one flush, one fsync round) into one action.
   */
  defer(callback: () => void): void
}

export interface Clock {
  /** Milliseconds since the Unix epoch (wall time: may jump when simulated clocks jump). */
  now(): number
}

/** A connected byte stream: the subset of node:net's Socket that Weir uses. */
export interface TransportSocket {
  readonly remoteAddress?: string | undefined
  readonly remotePort?: number | undefined
  /** Bytes queued for sending and not yet handed to the peer (backpressure). */
  readonly writableLength: number
  /** False once the stream ended or was destroyed: writes would fail. */
  readonly writable: boolean
  /** Whether 'data' is held back by pause(). */
  isPaused(): boolean
  /** Queues `data`; false once the queue is past its high-water mark ('drain' follows). */
  write(data: Uint8Array, callback?: (error?: Error | null) => void): boolean
  /**
   * Holds writes until uncork() and then sends them as one writev (node:net and TLS sockets have
   * it; a transport without it gets each frame as one concatenated write, see writeFrame).
   */
  cork?(): void
  uncork?(): void
  /** Half-closes after the queued bytes are sent. */
  end(): unknown
  destroy(error?: Error): unknown
  pause(): unknown
  resume(): unknown
  setNoDelay(noDelay?: boolean): unknown
  /** Emits 'timeout' after `ms` without traffic (0 disables). */
  setTimeout(ms: number): unknown
  on(event: 'data', listener: (chunk: Buffer) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  on(event: 'drain' | 'close' | 'end' | 'timeout', listener: () => void): unknown
  once(event: 'close' | 'end' | 'drain', listener: () => void): unknown
  once(event: 'error', listener: (error: Error) => void): unknown
  off(event: 'data', listener: (chunk: Buffer) => void): unknown
  off(event: 'error', listener: (error: Error) => void): unknown
  off(event: 'drain' | 'close' | 'end' | 'timeout', listener: () => void): unknown
  removeAllListeners(event?: string): unknown
}

export interface TransportAddress {
  readonly host: string
  readonly port: number
}

/** A listening endpoint. */
export interface TransportListener {
  /** The bound port (the one chosen when port 0 was asked for). */
  readonly port: number
  /** Stops accepting; existing sockets stay open. */
  close(): Promise<void>
}

export interface Transport {
  /**
   * Opens a stream to `address`. Errors: BROKER_UNAVAILABLE (WeirError, retriable) when nothing
   * answers within `timeoutMs` or the connection is refused.
   */
  connect(address: TransportAddress, timeoutMs: number): Promise<TransportSocket>
  /**
   * Accepts streams on `address` and hands each to `accept`. Errors: INVALID_CONFIG when the
   * address is in use or cannot be bound, with what to do next.
   */
  listen(address: TransportAddress, accept: (socket: TransportSocket) => void): Promise<TransportListener>
}

/** What client and broker are given instead of reaching for Node's globals. */
export interface Environment {
  readonly clock: Clock
  readonly timers: Timers
  /** Uniform in [0, 1), like Math.random. */
  readonly random: () => number
  readonly transport: Transport
}

export const nodeClock: Clock = { now: () => Date.now() }

export const nodeTimers: Timers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  setInterval: (callback, intervalMs) => setInterval(callback, intervalMs),
  clear: (timer) => {
    if (timer !== undefined) clearTimeout(timer as NodeJS.Timeout)
  },
  defer: (callback) => {
    setImmediate(callback)
  },
}

/** Resolves after `delayMs` on `timers` (virtual ones in a simulation). */
export function delay(timers: Timers, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    timers.setTimeout(resolve, delayMs)
  })
}

/**
 * Whether `work` settled (either way) within `timeoutMs` on `timers`. Never rejects; the timer is
 * cleared as soon as `work` settles, so a bounded wait leaves nothing armed behind it.
 */
export async function settlesWithin(
  timers: Timers,
  work: Promise<unknown>,
  timeoutMs: number,
): Promise<boolean> {
  let timer: Timer | undefined
  const late = new Promise<false>((resolve) => {
    timer = timers.setTimeout(() => resolve(false), timeoutMs)
  })
  const settled = work.then(
    () => true as const,
    () => true as const,
  )
  try {
    return await Promise.race([settled, late])
  } finally {
    timers.clear(timer)
  }
}

/** A random id of 32 hex digits from `random` (a seeded one yields the same ids on every replay). */
export function randomId(random: () => number): string {
  let id = ''
  for (let i = 0; i < 4; i++)
    id += Math.floor(random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0')
  return id
}
