// How the message browser shows bytes: as JSON, msgpack (decoded, shown as JSON), UTF-8 text or
// hex. Pure: the bytes come from the broker and may be anything, so a value that does not decode
// in the chosen format is shown with the reason instead of failing the whole page.
import { codecs } from '@weir/client'

export const valueFormats = ['json', 'msgpack', 'text', 'hex'] as const
export type ValueFormat = (typeof valueFormats)[number]

/** Bytes of one key, value or header shown at most; the rest is cut and `truncated` set. */
export const displayBytesMax = 64 * 1024

export interface FormattedBytes {
  /** The bytes in the format; null for a null key or value (a tombstone). */
  readonly text: string | null
  /** Why the bytes do not decode in the format (the page then shows hex). */
  readonly error?: string
  /** The stored length, which may exceed what is shown. */
  readonly bytes: number
  readonly truncated: boolean
}

export function isValueFormat(value: string): value is ValueFormat {
  return (valueFormats as readonly string[]).includes(value)
}

export function formatBytes(bytes: Buffer | null, format: ValueFormat): FormattedBytes {
  if (bytes === null) return { text: null, bytes: 0, truncated: false }
  const truncated = bytes.length > displayBytesMax
  const shown = truncated ? bytes.subarray(0, displayBytesMax) : bytes
  const base = { bytes: bytes.length, truncated }
  if (format === 'hex') return { ...base, text: hex(shown) }
  if (format === 'text') return { ...base, text: shown.toString('utf8') }
  // A cut value would not decode: JSON and msgpack decode the whole value, then cut the text.
  try {
    const decoded = format === 'json' ? JSON.parse(bytes.toString('utf8')) : codecs.msgpack.decode(bytes)
    const text = JSON.stringify(decoded, jsonSafe, 2) ?? 'undefined'
    return { ...base, text: text.length > displayBytesMax ? text.slice(0, displayBytesMax) : text }
  } catch (error) {
    return { ...base, text: hex(shown), error: `not ${format}: ${reason(error)}` }
  }
}

function hex(bytes: Buffer): string {
  return (bytes.toString('hex').match(/.{1,2}/g) ?? []).join(' ')
}

/**
 * msgpack carries what JSON has no words for: binary, bigints, maps with non-string keys. The
 * holder's own value is checked, as a Buffer's toJSON has already run on `value`.
 */
function jsonSafe(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key]
  if (typeof value === 'bigint') return value.toString()
  if (original instanceof Uint8Array) return `<${original.length} bytes: ${hex(Buffer.from(original))}>`
  if (value instanceof Map) return Object.fromEntries(value)
  if (value === undefined) return null
  return value
}

function reason(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause
  return cause instanceof Error ? cause.message : (error as Error).message
}
