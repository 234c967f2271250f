// The Message a consumer yields, decoded lazily: offset, timestamp and the raw key are set when the
// message is taken; the key's text, the headers' text and the value (the topic's codec) are
// computed the first time they are read and then kept. An application that filters on offsets or
// keys, or forwards raw bytes, never pays for a msgpack or JSON decode. The fields are getters on
// the prototype: `{ ...message }` copies only the eager ones (use toJSON, or read the fields).
import { type DecodedHeader, type DecodedRecord, WeirError } from '@weir/protocol'
import type { Codec } from './codecs.js'
import { headersToText, type Message } from './message.js'

const notDecoded: unique symbol = Symbol('not decoded')

export class ReceivedMessage<T> implements Message<T> {
  readonly offset: number
  readonly timestamp: number
  readonly keyBytes: Buffer | null
  readonly rawHeaders: readonly DecodedHeader[]
  private readonly valueBytes: Buffer | null
  private decodedValue: T | typeof notDecoded = notDecoded
  private keyText: string | null | typeof notDecoded = notDecoded
  private headerText: Record<string, string> | undefined

  constructor(
    readonly topic: string,
    readonly partition: number,
    record: DecodedRecord,
    private readonly codec: Codec<unknown>,
  ) {
    this.offset = record.offset
    this.timestamp = record.timestamp
    this.keyBytes = record.key
    this.rawHeaders = record.headers
    this.valueBytes = record.value
  }

  get key(): string | null {
    if (this.keyText === notDecoded)
      this.keyText = this.keyBytes === null ? null : this.keyBytes.toString('utf8')
    return this.keyText
  }

  /**
   * The value through the topic's codec, decoded on first read and kept. A value the codec cannot
   * decode throws CORRUPT_MESSAGE here (every read), naming the record; the consumer carries on.
   */
  get value(): T {
    if (this.decodedValue !== notDecoded) return this.decodedValue
    if (this.valueBytes === null) return (this.decodedValue = null as T)
    try {
      this.decodedValue = this.codec.decode(this.valueBytes) as T
    } catch (error) {
      throw new WeirError(
        'CORRUPT_MESSAGE',
        `${this.topic}/${this.partition} offset ${this.offset}: ${error instanceof Error ? error.message : String(error)}; read keyBytes or skip the record, or fix the topic's codec`,
        { cause: error },
      )
    }
    return this.decodedValue
  }

  get headers(): Record<string, string> {
    this.headerText ??= this.rawHeaders.length === 0 ? {} : headersToText(this.rawHeaders)
    return this.headerText
  }

  /** Every field as a plain object (JSON.stringify, logging); decodes the value. */
  toJSON(): Message<T> {
    const { topic, partition, offset, timestamp, key, keyBytes, value, headers, rawHeaders } = this
    return { topic, partition, offset, timestamp, key, keyBytes, value, headers, rawHeaders }
  }
}
