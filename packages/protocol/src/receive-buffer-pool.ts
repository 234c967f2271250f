// Reusable buffers for large received frames. A frame bigger than one socket chunk is assembled in
// a buffer of its own; a fresh one costs a page fault per 4 KiB the first time it is written (on
// the development VM, assembling a 1 MiB Fetch response into fresh memory took ~0.5 ms against
// 0.03 ms into a reused buffer: the faults, not the copy, were the consumer's largest cost).
// Frames are handed out with one hold; whoever ends up owning the bytes holds and releases them,
// and a buffer returns to the pool only when its last hold is released. A frame nobody releases
// (an answer nobody waits for any more, a response of another API) is simply collected by the GC,
// so forgetting a release costs memory reuse, never correctness; releasing too early would hand
// live bytes to the next frame, so only code that has stopped using every view of a frame
// (including views given to users) may release it.
export interface ReceiveBufferPoolOptions {
  /** Frames smaller than this are not pooled (a fresh small buffer comes from malloc's reused heap). */
  readonly frameBytesMin: number
  /** Bytes of idle buffers kept for reuse, at most; past it released buffers are left to the GC. */
  readonly idleBytesMax: number
}

export class ReceiveBufferPool {
  private readonly idle: ArrayBuffer[] = []
  private idleBytes = 0
  private readonly holds = new WeakMap<ArrayBuffer, number>()

  constructor(readonly options: ReceiveBufferPoolOptions) {}

  /** Whether frames of `bytes` come from the pool. */
  pools(bytes: number): boolean {
    return bytes >= this.options.frameBytesMin
  }

  /** A buffer of exactly `bytes` (contents undefined) with one hold, reused when one is big enough. */
  acquire(bytes: number): Buffer {
    let memory: ArrayBuffer | undefined
    for (let index = this.idle.length - 1; index >= 0; index--) {
      if (this.idle[index]!.byteLength >= bytes) {
        memory = this.idle[index]!
        this.idle.splice(index, 1)
        this.idleBytes -= memory.byteLength
        break
      }
    }
    // Rounded up so a slightly larger frame next time still fits a reused buffer.
    memory ??= Buffer.allocUnsafeSlow(roundUp(bytes)).buffer as ArrayBuffer
    this.holds.set(memory, 1)
    return Buffer.from(memory, 0, bytes)
  }

  /** Whether `view` lies in a buffer of this pool that is held (its bytes will be reused once released). */
  isPooled(view: Uint8Array): boolean {
    return this.holds.has(view.buffer as ArrayBuffer)
  }

  /** Adds a hold on the pooled buffer `view` lies in; nothing for any other buffer. */
  hold(view: Uint8Array): void {
    const count = this.holds.get(view.buffer as ArrayBuffer)
    if (count !== undefined) this.holds.set(view.buffer as ArrayBuffer, count + 1)
  }

  /** Drops a hold; the last one returns the buffer for reuse. Nothing for a buffer not pooled. */
  release(view: Uint8Array): void {
    const memory = view.buffer as ArrayBuffer
    const count = this.holds.get(memory)
    if (count === undefined) return
    if (count > 1) {
      this.holds.set(memory, count - 1)
      return
    }
    this.holds.delete(memory)
    if (this.idleBytes + memory.byteLength > this.options.idleBytesMax) return
    this.idle.push(memory)
    this.idleBytes += memory.byteLength
  }

  /** Buffers waiting for reuse (tests, metrics). */
  get idleCount(): number {
    return this.idle.length
  }
}

const roundingBytes = 64 * 1024

function roundUp(bytes: number): number {
  return Math.ceil(bytes / roundingBytes) * roundingBytes
}
