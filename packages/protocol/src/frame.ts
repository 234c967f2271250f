// Framing on a Weir TCP connection. Every frame is `u32 length` (big-endian, the bytes that
// follow) and then a header and a msgpack body:
//   request  = length:u32 apiKey:u16 apiVersion:u16 correlationId:u32 body:msgpack
//   response = length:u32 correlationId:u32 body:msgpack
// The reader checks the declared length against its limit before it buffers a single body byte.
import type { ReceiveBufferPool } from './receive-buffer-pool.js'
import { WeirError } from './weir-error.js'

export const frameLengthBytes = 4
export const requestHeaderBytes = 8
export const responseHeaderBytes = 4
/** Default largest frame (length field value) a broker or client accepts. */
export const frameBytesMaxDefault = 16 * 1024 * 1024

export interface RequestHeader {
  readonly apiKey: number
  readonly apiVersion: number
  readonly correlationId: number
}

export function encodeRequestFrame(header: RequestHeader, body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(frameLengthBytes + requestHeaderBytes + body.length)
  frame.writeUInt32BE(requestHeaderBytes + body.length, 0)
  frame.writeUInt16BE(header.apiKey, 4)
  frame.writeUInt16BE(header.apiVersion, 6)
  frame.writeUInt32BE(header.correlationId >>> 0, 8)
  frame.set(body, 12)
  return frame
}

export function encodeResponseFrame(correlationId: number, body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(frameLengthBytes + responseHeaderBytes + body.length)
  frame.writeUInt32BE(responseHeaderBytes + body.length, 0)
  frame.writeUInt32BE(correlationId >>> 0, 4)
  frame.set(body, 8)
  return frame
}

/** Splits a frame's payload (what follows the length) into request header and body. */
export function parseRequestFrame(payload: Buffer): { header: RequestHeader; body: Buffer } {
  if (payload.length < requestHeaderBytes) {
    throw new WeirError(
      'INVALID_REQUEST',
      `request frame of ${payload.length} bytes is shorter than the ${requestHeaderBytes}-byte header`,
    )
  }
  return {
    header: {
      apiKey: payload.readUInt16BE(0),
      apiVersion: payload.readUInt16BE(2),
      correlationId: payload.readUInt32BE(4),
    },
    body: payload.subarray(requestHeaderBytes),
  }
}

export function parseResponseFrame(payload: Buffer): { correlationId: number; body: Buffer } {
  if (payload.length < responseHeaderBytes) {
    throw new WeirError(
      'INVALID_REQUEST',
      `response frame of ${payload.length} bytes is shorter than the ${responseHeaderBytes}-byte header`,
    )
  }
  return { correlationId: payload.readUInt32BE(0), body: payload.subarray(responseHeaderBytes) }
}

/**
 * Incremental frame reader: feed it socket chunks of any size, it returns whole frame payloads
 * (bytes after the length field). A declared length above `frameBytesMax` or below `frameBytesMin`
 * throws MESSAGE_TOO_LARGE / INVALID_REQUEST before anything is buffered; the connection cannot be
 * resynchronised after that and must be closed.
 */
export class FrameReader {
  private readonly chunks: Buffer[] = []
  private buffered = 0
  private expected = -1

  constructor(
    private frameBytesMax: number = frameBytesMaxDefault,
    private readonly frameBytesMin: number = responseHeaderBytes,
    /** Where frames spanning several chunks are assembled, when large enough; fresh buffers otherwise. */
    private readonly pool?: ReceiveBufferPool,
  ) {}

  /** Lets later frames be larger, as when a connection authenticates (its pre-auth cap lifts). */
  raiseLimit(frameBytesMax: number): void {
    this.frameBytesMax = Math.max(this.frameBytesMax, frameBytesMax)
  }

  /** Bytes held for a frame not yet complete. */
  get bufferedBytes(): number {
    return this.buffered
  }

  /** Whether a frame has begun (length bytes or body) and not completed. */
  get midFrame(): boolean {
    return this.buffered > 0 || this.expected >= 0
  }

  /** Drops a half-read frame (its connection closed) so its chunks are not kept; returns the bytes dropped. */
  discard(): number {
    const dropped = this.buffered
    this.chunks.length = 0
    this.buffered = 0
    this.expected = -1
    return dropped
  }

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    const frames: Buffer[] = []
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < frameLengthBytes) break
        this.expected = this.readLength()
      }
      if (this.buffered < this.expected) break
      frames.push(this.take(this.expected))
      this.expected = -1
    }
    return frames
  }

  private readLength(): number {
    const length = this.take(frameLengthBytes).readUInt32BE(0)
    if (length > this.frameBytesMax) {
      throw new WeirError(
        'MESSAGE_TOO_LARGE',
        `frame declares ${length} bytes, more than the limit of ${this.frameBytesMax}`,
      )
    }
    if (length < this.frameBytesMin) {
      throw new WeirError(
        'INVALID_REQUEST',
        `frame declares ${length} bytes, fewer than the ${this.frameBytesMin}-byte header`,
      )
    }
    return length
  }

  /** Removes exactly `bytes` from the front of the buffered chunks. */
  private take(bytes: number): Buffer {
    const first = this.chunks[0]!
    if (first.length === bytes) {
      this.chunks.shift()
      this.buffered -= bytes
      return first
    }
    if (first.length > bytes) {
      this.chunks[0] = first.subarray(bytes)
      this.buffered -= bytes
      return first.subarray(0, bytes)
    }
    const out = this.pool?.pools(bytes) ? this.pool.acquire(bytes) : Buffer.allocUnsafe(bytes)
    let filled = 0
    while (filled < bytes) {
      const chunk = this.chunks[0]!
      const used = Math.min(chunk.length, bytes - filled)
      chunk.copy(out, filled, 0, used)
      filled += used
      if (used === chunk.length) this.chunks.shift()
      else this.chunks[0] = chunk.subarray(used)
    }
    this.buffered -= bytes
    return out
  }
}
