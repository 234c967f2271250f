// A bounds-checked cursor over one Kafka request body. The bytes come from a socket we do not
// control, so every read checks the end first and every failure is a typed INVALID_REQUEST naming
// what was wanted and where: the listener answers or closes with a reason instead of crashing on a
// RangeError from deep inside Buffer. Declared lengths and counts are checked against the bytes
// left (and a named maximum) before anything is allocated.
import { WeirError } from '../weir-error.js'

/** Most elements one array may declare: far above any real request, far below memory trouble. */
export const kafkaArrayLengthMax = 1_000_000
/** Most unknown tagged fields one structure may carry before we call it garbage. */
export const kafkaTaggedFieldsMax = 1_000
/** An unsigned varint of a 32-bit value takes at most 5 bytes. */
const unsignedVarintBytesMax = 5
/** A zig-zag varlong takes at most 10 bytes; we accept the safe-integer range only. */
const varlongBytesMax = 10
const twoPow32 = 2 ** 32
const safeMax = BigInt(Number.MAX_SAFE_INTEGER)

export class KafkaReader {
  position: number

  constructor(
    readonly buffer: Buffer,
    start = 0,
    readonly end = buffer.length,
  ) {
    this.position = start
  }

  get remaining(): number {
    return this.end - this.position
  }

  int8(): number {
    this.need(1, 'int8')
    return this.buffer.readInt8(this.position++)
  }

  int16(): number {
    this.need(2, 'int16')
    const value = this.buffer.readInt16BE(this.position)
    this.position += 2
    return value
  }

  int32(): number {
    this.need(4, 'int32')
    const value = this.buffer.readInt32BE(this.position)
    this.position += 4
    return value
  }

  uint32(): number {
    this.need(4, 'uint32')
    const value = this.buffer.readUInt32BE(this.position)
    this.position += 4
    return value
  }

  /** A signed 64-bit value as a JS number; outside the safe integers is INVALID_REQUEST, never a silent rounding. */
  int64(): number {
    this.need(8, 'int64')
    const high = this.buffer.readInt32BE(this.position)
    const low = this.buffer.readUInt32BE(this.position + 4)
    const value = high * twoPow32 + low
    if (!Number.isSafeInteger(value)) {
      throw this.invalid(`int64 at byte ${this.position} is outside the safe integer range`)
    }
    this.position += 8
    return value
  }

  boolean(): boolean {
    return this.int8() !== 0
  }

  /** Kafka's UNSIGNED_VARINT: 7 bits a byte, low first, at most 32 bits. */
  unsignedVarint(): number {
    let value = 0
    let multiplier = 1
    const start = this.position
    for (let index = 0; index < unsignedVarintBytesMax; index++) {
      this.need(1, 'unsigned varint')
      const byte = this.buffer[this.position++]!
      value += (byte & 0x7f) * multiplier
      if (byte < 0x80) {
        if (value >= twoPow32) throw this.invalid(`unsigned varint at byte ${start} exceeds 32 bits`)
        return value
      }
      multiplier *= 128
    }
    throw this.invalid(`unsigned varint at byte ${start} is longer than ${unsignedVarintBytesMax} bytes`)
  }

  /**
   * Kafka's VARINT/VARLONG: zig-zag over an unsigned varint, limited to the safe integers. BigInt
   * keeps values above 2^53 exact until the range check (numbers would round there).
   */
  varlong(): number {
    let unsigned = 0n
    let shift = 0n
    const start = this.position
    for (let index = 0; index < varlongBytesMax; index++) {
      this.need(1, 'varint')
      const byte = this.buffer[this.position++]!
      unsigned |= BigInt(byte & 0x7f) << shift
      if (byte < 0x80) {
        const value = (unsigned & 1n) === 0n ? unsigned >> 1n : -((unsigned + 1n) >> 1n)
        if (value > safeMax || value < -safeMax) {
          throw this.invalid(`varint at byte ${start} is outside the safe integer range`)
        }
        return Number(value)
      }
      shift += 7n
    }
    throw this.invalid(`varint at byte ${start} is longer than ${varlongBytesMax} bytes`)
  }

  /** 16 raw bytes, as a 32-digit lower-case hex string. */
  uuid(): string {
    return this.take(16, 'uuid').toString('hex')
  }

  /** INT16 length then UTF-8; -1 is null. */
  nullableString(): string | null {
    const length = this.int16()
    if (length === -1) return null
    if (length < 0) throw this.invalid(`string length ${length} at byte ${this.position - 2}`)
    return this.take(length, 'string').toString('utf8')
  }

  /** UNSIGNED_VARINT length + 1 then UTF-8; 0 is null. */
  compactNullableString(): string | null {
    const lengthPlusOne = this.unsignedVarint()
    if (lengthPlusOne === 0) return null
    return this.take(lengthPlusOne - 1, 'compact string').toString('utf8')
  }

  /** INT32 length then bytes (a view, no copy); -1 is null. */
  nullableBytes(): Buffer | null {
    const length = this.int32()
    if (length === -1) return null
    if (length < 0) throw this.invalid(`bytes length ${length} at byte ${this.position - 4}`)
    return this.take(length, 'bytes')
  }

  /** UNSIGNED_VARINT length + 1 then bytes (a view, no copy); 0 is null. */
  compactNullableBytes(): Buffer | null {
    const lengthPlusOne = this.unsignedVarint()
    if (lengthPlusOne === 0) return null
    return this.take(lengthPlusOne - 1, 'compact bytes')
  }

  /** An INT32 element count (-1 null), checked against the bytes left before the caller allocates. */
  arrayLength(): number | null {
    const count = this.int32()
    if (count === -1) return null
    return this.checkCount(count)
  }

  /** An UNSIGNED_VARINT count + 1 (0 null), checked like arrayLength. */
  compactArrayLength(): number | null {
    const countPlusOne = this.unsignedVarint()
    if (countPlusOne === 0) return null
    return this.checkCount(countPlusOne - 1)
  }

  /**
   * Reads a tagged-field section and skips every field: the versions we speak declare none the
   * broker needs, and unknown tags must be ignored (that is what makes them compatible).
   */
  skipTaggedFields(): void {
    const count = this.unsignedVarint()
    if (count > kafkaTaggedFieldsMax) {
      throw this.invalid(`${count} tagged fields at byte ${this.position} (at most ${kafkaTaggedFieldsMax})`)
    }
    let previousTag = -1
    for (let index = 0; index < count; index++) {
      const tag = this.unsignedVarint()
      if (tag <= previousTag) throw this.invalid(`tagged field ${tag} out of order at byte ${this.position}`)
      previousTag = tag
      const size = this.unsignedVarint()
      this.take(size, `tagged field ${tag}`)
    }
  }

  /** A view of the next `length` bytes. */
  take(length: number, what: string): Buffer {
    this.need(length, what)
    const view = this.buffer.subarray(this.position, this.position + length)
    this.position += length
    return view
  }

  private checkCount(count: number): number {
    if (count < 0) throw this.invalid(`array length ${count} at byte ${this.position}`)
    // Every element takes at least one byte, so a count above the bytes left is a lie.
    if (count > this.remaining || count > kafkaArrayLengthMax) {
      throw this.invalid(
        `array of ${count} elements at byte ${this.position} but ${this.remaining} bytes are left (at most ${kafkaArrayLengthMax} elements)`,
      )
    }
    return count
  }

  private need(bytes: number, what: string): void {
    if (bytes > this.end - this.position) {
      throw this.invalid(
        `request ends early: wanted ${what} (${bytes} bytes) at byte ${this.position}, it ends at ${this.end}`,
      )
    }
  }

  private invalid(detail: string): WeirError {
    return new WeirError('INVALID_REQUEST', `Kafka ${detail}`)
  }
}
