// Zig-zag varints (as in protobuf and Kafka's record format) for lengths and deltas inside a
// batch. Values are JS numbers, so the range is the safe integers: at most 8 encoded bytes.
import { WeirError } from './weir-error.js'

const varintBytesMax = 8
const twoPow28 = 2 ** 28

export function zigzagEncode(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1
}

export function zigzagDecode(encoded: number): number {
  return encoded % 2 === 0 ? encoded / 2 : -(encoded + 1) / 2
}

/** Encoded size of a signed value (zig-zag applied). */
export function varintSize(value: number): number {
  let unsigned = zigzagEncode(value)
  let size = 1
  while (unsigned >= 128) {
    unsigned = Math.floor(unsigned / 128)
    size++
  }
  return size
}

/** Writes a signed value at `position`; returns the position after it. */
export function writeVarint(buffer: Uint8Array, position: number, value: number): number {
  let unsigned = zigzagEncode(value)
  if (unsigned < twoPow28) {
    // Fast path with 32-bit operators: the common case for lengths and deltas.
    while (unsigned >= 128) {
      buffer[position++] = (unsigned & 127) | 128
      unsigned >>>= 7
    }
    buffer[position++] = unsigned
    return position
  }
  while (unsigned >= 128) {
    buffer[position++] = (unsigned % 128) | 128
    unsigned = Math.floor(unsigned / 128)
  }
  buffer[position++] = unsigned
  return position
}

/**
 * A bounds-checked cursor over bytes from outside the process. Every read past `end` or any
 * malformed varint is a typed INVALID_RECORD error, never an exception from deep inside Buffer:
 * the record section it walks has passed its CRC, so bad varints were written that way.
 */
export class ByteReader {
  position: number

  constructor(
    readonly buffer: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.position = start
  }

  varint(): number {
    let unsigned = 0
    let multiplier = 1
    for (let index = 0; index < varintBytesMax; index++) {
      if (this.position >= this.end) throw this.overrun('varint')
      const byte = this.buffer[this.position++]!
      unsigned += (byte & 127) * multiplier
      if (byte < 128) return zigzagDecode(unsigned)
      multiplier *= 128
    }
    throw new WeirError(
      'INVALID_RECORD',
      `varint longer than ${varintBytesMax} bytes at byte ${this.position}`,
    )
  }

  int8(): number {
    if (this.position + 1 > this.end) throw this.overrun('int8')
    return this.buffer.readInt8(this.position++)
  }

  /** A slice (no copy) of `length` bytes. */
  bytes(length: number): Buffer {
    if (length < 0 || this.position + length > this.end) throw this.overrun(`${length} bytes`)
    const slice = this.buffer.subarray(this.position, this.position + length)
    this.position += length
    return slice
  }

  /** A varint length (-1 meaning null) followed by that many bytes. */
  nullableBytes(): Buffer | null {
    const length = this.varint()
    if (length === -1) return null
    if (length < -1)
      throw new WeirError('INVALID_RECORD', `negative length ${length} at byte ${this.position}`)
    return this.bytes(length)
  }

  private overrun(what: string): WeirError {
    return new WeirError(
      'INVALID_RECORD',
      `record data ends early: wanted ${what} at byte ${this.position}, data ends at ${this.end}`,
    )
  }
}
