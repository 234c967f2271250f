// How `weir produce` turns typed text into key and value bytes, and how `weir consume` turns the
// bytes back into text: --key-format, --value-format, --format (both). Pure: no I/O.
//   text     UTF-8 as is (the default, what the CLI always did)
//   json     JSON text; produce checks it parses; consume prints it compact (non-JSON bytes as a JSON string)
//   msgpack  produce reads JSON text and stores its msgpack encoding; consume prints the decoded value as JSON
//   hex      bytes as hexadecimal digits
//   base64   bytes as standard base64
import { codecs } from '@weir/client'
import { UsageError } from './flags.js'

export const recordFormats = ['text', 'json', 'msgpack', 'hex', 'base64'] as const
export type RecordFormat = (typeof recordFormats)[number]

/** The format a flag names; `fallback` when the flag is absent. */
export function recordFormatFlag(
  value: string | undefined,
  flag: string,
  fallback: RecordFormat,
): RecordFormat {
  if (value === undefined) return fallback
  if (!(recordFormats as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${recordFormats.join(', ')}, got ${JSON.stringify(value)}`)
  }
  return value as RecordFormat
}

/** The key and value formats of --key-format, --value-format and --format (which sets both). */
export function keyValueFormats(flags: {
  readonly format?: string | undefined
  readonly 'key-format'?: string | undefined
  readonly 'value-format'?: string | undefined
}): { readonly key: RecordFormat; readonly value: RecordFormat } {
  const both = recordFormatFlag(flags.format, '--format', 'text')
  return {
    key: recordFormatFlag(flags['key-format'], '--key-format', both),
    value: recordFormatFlag(flags['value-format'], '--value-format', both),
  }
}

/** Text typed by a user (`what` names it in errors: "the value of line 3") as the bytes to send. */
export function encodeText(format: RecordFormat, text: string, what: string): Buffer {
  switch (format) {
    case 'text':
      return Buffer.from(text, 'utf8')
    case 'json':
      return Buffer.from(JSON.stringify(parseJson(text, what)), 'utf8')
    case 'msgpack':
      return codecs.msgpack.encode(parseJson(text, what))
    case 'hex': {
      const digits = text.trim()
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits))
        throw new UsageError(`${what} is not hex (an even number of 0-9a-f digits): ${preview(text)}`)
      return Buffer.from(digits, 'hex')
    }
    case 'base64': {
      const digits = text.trim()
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(digits))
        throw new UsageError(`${what} is not base64: ${preview(text)}`)
      return Buffer.from(digits, 'base64')
    }
  }
}

/** Stored bytes as one line of text; null (no key, a tombstone) is ''. */
export function renderBytes(format: RecordFormat, bytes: Buffer | null): string {
  if (bytes === null) return ''
  switch (format) {
    case 'text':
      return bytes.toString('utf8')
    case 'json':
      return JSON.stringify(jsonOf(bytes))
    case 'msgpack':
      return JSON.stringify(jsonSafe(msgpackOf(bytes)))
    case 'hex':
      return bytes.toString('hex')
    case 'base64':
      return bytes.toString('base64')
  }
}

/** Stored bytes as a value to embed in a JSON document: parsed for json and msgpack, else text. */
export function bytesAsJsonValue(format: RecordFormat, bytes: Buffer | null): unknown {
  if (bytes === null) return null
  if (format === 'json') return jsonOf(bytes)
  if (format === 'msgpack') return jsonSafe(msgpackOf(bytes))
  return renderBytes(format, bytes)
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new UsageError(`${what} is not JSON: ${preview(text)} (quote strings: "text")`)
  }
}

// Bytes that are not JSON still print, as a JSON string, so one odd record does not stop a tail.
function jsonOf(bytes: Buffer): unknown {
  const text = bytes.toString('utf8')
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

// Bytes that are not msgpack print as {"notMsgpack": "<hex>"} rather than ending the consume.
function msgpackOf(bytes: Buffer): unknown {
  try {
    return codecs.msgpack.decode(bytes)
  } catch {
    return { notMsgpack: bytes.toString('hex') }
  }
}

// msgpack carries what JSON cannot: binary (shown as hex), big integers (as decimal text), maps
// with non-string keys. Depth is bounded by the decoded value, itself bounded by the record size.
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex')
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map(jsonSafe)
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), jsonSafe(v)]))
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]))
  return value
}

function preview(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text)
}
