// The broker-wide bound on request bytes held in memory (limits.queuedMaxRequestBytes): bytes read
// from sockets and not yet answered, partial frames included. Connections add what they read and
// release it as frames are answered or dropped; while the total is above the bound every
// connection stops reading, so many clients each sending a large frame slowly (or many requests
// at once) cannot grow the heap without limit. Pure: no sockets or timers.

export class RequestBudget {
  private usedBytes = 0
  private readonly listeners = new Set<() => void>()

  constructor(readonly maxBytes: number) {}

  /** Bytes held now, over every connection. */
  get used(): number {
    return this.usedBytes
  }

  /** True while above the bound: connections must not read. */
  get full(): boolean {
    return this.usedBytes > this.maxBytes
  }

  /** Counts bytes read; crossing the bound tells every listener (each connection then pauses). */
  add(bytes: number): void {
    const wasFull = this.full
    this.usedBytes += bytes
    if (!wasFull && this.full) this.notify()
  }

  /** Gives back bytes added earlier; dropping back under the bound tells every listener. */
  release(bytes: number): void {
    if (bytes < 0 || bytes > this.usedBytes)
      throw new Error(`request budget: releasing ${bytes} of ${this.usedBytes} bytes held`)
    const wasFull = this.full
    this.usedBytes -= bytes
    if (wasFull && !this.full) this.notify()
  }

  /** Calls `listener` each time the budget crosses its bound, either way; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener()
  }
}
