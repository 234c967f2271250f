// A growable big-endian writer for Kafka response bodies. Only the broker's own values pass
// through it, so a value out of its field's range is a programmer error: it throws a RangeError
// (from Buffer or from the checks here) rather than a WeirError.
const twoPow32 = 2 ** 32
const initialBytes = 256
/**
 * Byte fields at least this long are kept as views of the caller's buffer instead of copied
 * (finishParts): a Fetch answer's records are megabytes the socket can write as they are.
 */
export const kafkaViewBytesMin = 4096

export class KafkaWriter {
  private buffer: Buffer
  private position = 0
  /** Finished pieces: slices of earlier internal buffers and views of callers' large byte fields. */
  private readonly parts: Buffer[] = []
  /** Where the current internal buffer's not-yet-parted bytes start. */
  private partStart = 0

  constructor(initialSizeBytes = initialBytes) {
    this.buffer = Buffer.allocUnsafe(initialSizeBytes)
  }

  int8(value: number): this {
    this.reserve(1)
    this.position = this.buffer.writeInt8(value, this.position)
    return this
  }

  int16(value: number): this {
    this.reserve(2)
    this.position = this.buffer.writeInt16BE(value, this.position)
    return this
  }

  int32(value: number): this {
    this.reserve(4)
    this.position = this.buffer.writeInt32BE(value, this.position)
    return this
  }

  uint32(value: number): this {
    this.reserve(4)
    this.position = this.buffer.writeUInt32BE(value, this.position)
    return this
  }

  int64(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`int64 value ${value} is not a safe integer`)
    this.reserve(8)
    const high = Math.floor(value / twoPow32)
    this.buffer.writeInt32BE(high, this.position)
    this.buffer.writeUInt32BE(value - high * twoPow32, this.position + 4)
    this.position += 8
    return this
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0)
  }

  unsignedVarint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value >= twoPow32) {
      throw new RangeError(`unsigned varint value ${value} is not a 32-bit unsigned integer`)
    }
    this.reserve(5)
    while (value >= 0x80) {
      this.buffer[this.position++] = (value % 0x80) | 0x80
      value = Math.floor(value / 0x80)
    }
    this.buffer[this.position++] = value
    return this
  }

  varlong(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`varint value ${value} is not a safe integer`)
    // BigInt: the zig-zag of a value above 2^52 passes 2^53, where numbers round.
    let unsigned = value >= 0 ? BigInt(value) << 1n : (BigInt(-value) << 1n) - 1n
    this.reserve(10)
    while (unsigned >= 0x80n) {
      this.buffer[this.position++] = Number(unsigned & 0x7fn) | 0x80
      unsigned >>= 7n
    }
    this.buffer[this.position++] = Number(unsigned)
    return this
  }

  uuid(hex: string): this {
    if (!/^[0-9a-f]{32}$/.test(hex)) throw new RangeError(`uuid ${hex} is not 32 lower-case hex digits`)
    return this.raw(Buffer.from(hex, 'hex'))
  }

  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1)
    const length = Buffer.byteLength(value)
    if (length > 0x7fff) throw new RangeError(`string of ${length} bytes does not fit an INT16 length`)
    this.int16(length)
    this.reserve(length)
    this.position += this.buffer.write(value, this.position)
    return this
  }

  compactNullableString(value: string | null): this {
    if (value === null) return this.unsignedVarint(0)
    const length = Buffer.byteLength(value)
    this.unsignedVarint(length + 1)
    this.reserve(length)
    this.position += this.buffer.write(value, this.position)
    return this
  }

  nullableBytes(value: Uint8Array | null): this {
    if (value === null) return this.int32(-1)
    return this.int32(value.length).bytesField(value)
  }

  compactNullableBytes(value: Uint8Array | null): this {
    if (value === null) return this.unsignedVarint(0)
    return this.unsignedVarint(value.length + 1).bytesField(value)
  }

  arrayLength(count: number | null): this {
    return this.int32(count ?? -1)
  }

  compactArrayLength(count: number | null): this {
    return this.unsignedVarint(count === null ? 0 : count + 1)
  }

  /** An empty tagged-field section: the broker sends no tagged fields in the versions it speaks. */
  emptyTaggedFields(): this {
    return this.unsignedVarint(0)
  }

  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length)
    this.buffer.set(bytes, this.position)
    this.position += bytes.length
    return this
  }

  /** The bytes written so far, as one buffer (copies once if large byte fields were kept as views). */
  finish(): Buffer {
    const parts = this.finishParts()
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
  }

  /**
   * The bytes written so far as pieces to write in order (one writev): large byte fields are the
   * caller's own buffers, so the caller must not change them until the pieces are written.
   */
  finishParts(): Buffer[] {
    const parts = [...this.parts, this.buffer.subarray(this.partStart, this.position)]
    return parts.filter((part, index) => part.length > 0 || index === 0)
  }

  private bytesField(bytes: Uint8Array): this {
    if (bytes.length < kafkaViewBytesMin) return this.raw(bytes)
    this.parts.push(this.buffer.subarray(this.partStart, this.position))
    this.parts.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))
    // The slice just parted stays valid: later writes only go past it (or to a new buffer).
    this.partStart = this.position
    return this
  }

  private reserve(bytes: number): void {
    if (this.position + bytes <= this.buffer.length) return
    const pending = this.position - this.partStart
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, pending + bytes))
    this.buffer.copy(grown, 0, this.partStart, this.position)
    this.buffer = grown
    this.position = pending
    this.partStart = 0
  }
}
