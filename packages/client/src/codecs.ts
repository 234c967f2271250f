// Value codecs: how a topic's values become the opaque bytes the broker stores. A codec is a plain
// object so users can bring their own (protobuf, avro...) without subclassing anything.
import { WeirError } from '@weir/protocol'
import { Packr } from 'msgpackr'

export interface Codec<T> {
  readonly name: string
  encode(value: T): Buffer
  decode(bytes: Buffer): T
}

/** A codec for any value (msgpack, json): assignable to `Codec<T>` for every T. */
export interface UntypedCodec {
  readonly name: string
  encode(value: unknown): Buffer
  decode<T = unknown>(bytes: Buffer): T
}

// Plain maps and no msgpackr records extension, so clients in other languages read the values.
const packr = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: 'number',
  variableMapSize: true,
})

function decodeFailure(codec: string, error: unknown): WeirError {
  return new WeirError('CORRUPT_MESSAGE', `value does not decode with the ${codec} codec`, { cause: error })
}

const msgpack: UntypedCodec = {
  name: 'msgpack',
  encode: (value) => packr.pack(value),
  decode(bytes) {
    try {
      return packr.unpack(bytes)
    } catch (error) {
      throw decodeFailure('msgpack', error)
    }
  },
}

const json: UntypedCodec = {
  name: 'json',
  encode(value) {
    const text = JSON.stringify(value)
    if (text === undefined) throw new WeirError('INVALID_REQUEST', 'the json codec cannot encode undefined')
    return Buffer.from(text, 'utf8')
  },
  decode(bytes) {
    try {
      return JSON.parse(bytes.toString('utf8'))
    } catch (error) {
      throw decodeFailure('json', error)
    }
  },
}

const string: Codec<string> = {
  name: 'string',
  encode(value) {
    if (typeof value !== 'string') {
      throw new WeirError('INVALID_REQUEST', `the string codec encodes strings, got ${typeof value}`)
    }
    return Buffer.from(value, 'utf8')
  },
  decode: (bytes) => bytes.toString('utf8'),
}

const raw: Codec<Buffer> = {
  name: 'raw',
  encode(value) {
    const bytes: unknown = value
    if (!(bytes instanceof Uint8Array)) {
      throw new WeirError('INVALID_REQUEST', `the raw codec encodes Buffers, got ${typeof bytes}`)
    }
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  },
  decode: (bytes) => bytes,
}

/** The built-in codecs. `msgpack` is the default for topics given by name. */
export const codecs = {
  msgpack,
  json,
  string,
  raw,
} as const
