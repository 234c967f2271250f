// Room on one connection for Fetch responses not yet written. The write-buffer mark alone cannot
// bound a client that does not read: it only stops new requests from starting, while every Fetch
// already in flight (up to maxInFlightRequests of them) still builds and queues its response. So
// each Fetch reserves the bytes it may return before it reads, against maxWriteBufferBytes minus
// what is queued and what other Fetches hold; a Fetch granted nothing answers without records.
// Pure: the caller passes how many bytes the socket holds unsent.

export class ResponseRoom {
  private reservedBytes = 0

  constructor(
    private readonly maxBytes: number,
    private readonly unsentBytes: () => number,
  ) {}

  /** Reserves up to `wantedBytes`; returns what was granted (0 when the connection is full). */
  reserve(wantedBytes: number): number {
    const room = Math.max(0, this.maxBytes - this.unsentBytes() - this.reservedBytes)
    const granted = Math.min(wantedBytes, room)
    this.reservedBytes += granted
    return granted
  }

  /** Gives back a reservation once its response is built (it is queued on the socket next). */
  release(bytes: number): void {
    this.reservedBytes -= bytes
  }

  get reserved(): number {
    return this.reservedBytes
  }
}
