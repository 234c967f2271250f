// A sparse, append-only index from increasing keys to non-decreasing u32 values, held in typed
// arrays. The offset index maps relative offset (u32 key) → file position; the time index maps
// max timestamp so far (i64 key) → relative offset. Both are rebuilt from the log when damaged,
// so the in-memory copy is the truth and the file is a cache written when a segment closes.

export type IndexKeyBytes = 4 | 8

export class SparseIndex {
  private keys: Float64Array
  private values: Uint32Array
  length = 0

  constructor(
    readonly keyBytes: IndexKeyBytes,
    capacity = 16,
  ) {
    this.keys = new Float64Array(capacity)
    this.values = new Uint32Array(capacity)
  }

  get entryBytes(): number {
    return this.keyBytes + 4
  }

  get lastKey(): number | undefined {
    return this.length === 0 ? undefined : this.keys[this.length - 1]
  }

  get lastValue(): number | undefined {
    return this.length === 0 ? undefined : this.values[this.length - 1]
  }

  add(key: number, value: number): void {
    if (this.length > 0 && (key <= this.keys[this.length - 1]! || value < this.values[this.length - 1]!)) {
      throw new Error(
        `index entries must increase: (${key}, ${value}) after (${this.lastKey}, ${this.lastValue})`,
      )
    }
    if (this.length === this.keys.length) this.grow()
    this.keys[this.length] = key
    this.values[this.length] = value
    this.length++
  }

  /** Value of the last entry whose key is <= `key`, or undefined when every key is larger. */
  floorValue(key: number): number | undefined {
    const index = this.lastIndexAtOrBelow(key)
    return index < 0 ? undefined : this.values[index]
  }

  /** Value of the last entry whose key is < `key`, or undefined. */
  lowerValue(key: number): number | undefined {
    const index = this.lastIndexAtOrBelow(key) // key itself may be present: step back past it
    if (index >= 0 && this.keys[index] === key) return index === 0 ? undefined : this.values[index - 1]
    return index < 0 ? undefined : this.values[index]
  }

  /** Drops every entry whose key is >= `key`. */
  truncateKeysFrom(key: number): void {
    while (this.length > 0 && this.keys[this.length - 1]! >= key) this.length--
  }

  /** Drops every entry whose value is >= `value`. */
  truncateValuesFrom(value: number): void {
    while (this.length > 0 && this.values[this.length - 1]! >= value) this.length--
  }

  encode(): Buffer {
    const buffer = Buffer.allocUnsafe(this.length * this.entryBytes)
    for (let index = 0; index < this.length; index++) {
      const position = index * this.entryBytes
      if (this.keyBytes === 4) buffer.writeUInt32BE(this.keys[index]!, position)
      else buffer.writeBigInt64BE(BigInt(this.keys[index]!), position)
      buffer.writeUInt32BE(this.values[index]!, position + this.keyBytes)
    }
    return buffer
  }

  /**
   * Reads an index file; returns undefined when it is damaged (odd size, entries out of order, a
   * value above `valueMax`), so the caller rebuilds it from the log.
   */
  static decode(buffer: Buffer, keyBytes: IndexKeyBytes, valueMax: number): SparseIndex | undefined {
    const entryBytes = keyBytes + 4
    if (buffer.length % entryBytes !== 0) return undefined
    const count = buffer.length / entryBytes
    const index = new SparseIndex(keyBytes, Math.max(16, count))
    for (let entry = 0; entry < count; entry++) {
      const position = entry * entryBytes
      const key = keyBytes === 4 ? buffer.readUInt32BE(position) : Number(buffer.readBigInt64BE(position))
      const value = buffer.readUInt32BE(position + keyBytes)
      const previousKey = index.lastKey
      const previousValue = index.lastValue
      if (value > valueMax) return undefined
      if (previousKey !== undefined && (key <= previousKey || value < previousValue!)) return undefined
      index.add(key, value)
    }
    return index
  }

  private lastIndexAtOrBelow(key: number): number {
    let low = 0
    let high = this.length - 1
    let found = -1
    while (low <= high) {
      const middle = (low + high) >>> 1
      if (this.keys[middle]! <= key) {
        found = middle
        low = middle + 1
      } else {
        high = middle - 1
      }
    }
    return found
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2)
    keys.set(this.keys)
    const values = new Uint32Array(this.values.length * 2)
    values.set(this.values)
    this.keys = keys
    this.values = values
  }
}
