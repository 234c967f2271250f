// The console API's inputs, checked: the browse query (partition, offset or timestamp, limit,
// format) and the produce body. Pure; every refusal is INVALID_CONSOLE_REQUEST naming the field.
import { codecs } from '@weir/client'
import { WeirError } from '@weir/protocol'
import { isValueFormat, type ValueFormat, valueFormats } from './value-format.js'

/** Messages one browse returns at most. */
export const browseLimitMax = 500
export const browseLimitDefault = 20

export interface BrowseQuery {
  readonly partition: number
  /** Where to start: an offset, or the first record at or after a time (ms since the epoch). */
  readonly from: { readonly offset: number } | { readonly timestamp: number }
  readonly limit: number
  readonly format: ValueFormat
}

export interface ProduceInput {
  readonly partition?: number
  readonly key: string | null
  readonly value: Buffer
  readonly headers: Record<string, string>
}

/** How a produced value's text becomes bytes: as is, checked JSON, or JSON encoded as msgpack. */
export const produceFormats = ['text', 'json', 'msgpack'] as const

function invalid(message: string): WeirError {
  return new WeirError('INVALID_CONSOLE_REQUEST', message)
}

function integerParameter(name: string, text: string | null, min: number, max: number): number | undefined {
  if (text === null || text === '') return undefined
  const value = Number(text)
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max)
    throw invalid(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`)
  return value
}

export function parseBrowseQuery(query: URLSearchParams): BrowseQuery {
  const partition = integerParameter('partition', query.get('partition'), 0, 2 ** 31 - 1) ?? 0
  const offset = integerParameter('offset', query.get('offset'), 0, Number.MAX_SAFE_INTEGER)
  const timestamp = parseTimestamp(query.get('timestamp'))
  if (offset !== undefined && timestamp !== undefined) throw invalid('give offset or timestamp, not both')
  const limit = integerParameter('limit', query.get('limit'), 1, browseLimitMax) ?? browseLimitDefault
  const format = query.get('format') ?? 'msgpack'
  if (!isValueFormat(format))
    throw invalid(`format must be one of ${valueFormats.join(', ')}, got ${JSON.stringify(format)}`)
  return {
    partition,
    from: timestamp !== undefined ? { timestamp } : { offset: offset ?? 0 },
    limit,
    format,
  }
}

/** Ms since the epoch, or an ISO 8601 date (`2026-12-04T10:00:00Z`). */
function parseTimestamp(text: string | null): number | undefined {
  if (text === null || text === '') return undefined
  const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text)
  if (!Number.isSafeInteger(value) || value < 0)
    throw invalid(
      `timestamp must be ms since the epoch or an ISO 8601 date like 2026-12-04T10:00:00Z, got ${JSON.stringify(text)}`,
    )
  return value
}

/** `{ partition?, key?, value, format?: text|json|msgpack, headers?: { name: text } }` */
export function parseProduceBody(body: unknown): ProduceInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('the body must be a JSON object like {"key": "k", "value": "text", "format": "text"}')
  const fields = body as Record<string, unknown>
  const { partition, key, value, headers } = fields
  const format = fields.format ?? 'text'
  if (
    partition !== undefined &&
    partition !== null &&
    !(Number.isSafeInteger(partition) && (partition as number) >= 0)
  )
    throw invalid(
      `partition must be an integer >= 0 or absent (chosen by key), got ${JSON.stringify(partition)}`,
    )
  if (key !== undefined && key !== null && typeof key !== 'string')
    throw invalid('key must be a string, or absent for no key')
  if (typeof value !== 'string') throw invalid('value must be a string (its text in the chosen format)')
  if (typeof format !== 'string' || !(produceFormats as readonly string[]).includes(format))
    throw invalid(`format must be one of ${produceFormats.join(', ')}, got ${JSON.stringify(format)}`)
  return {
    ...(typeof partition === 'number' ? { partition } : {}),
    key: typeof key === 'string' && key !== '' ? key : null,
    value: encodeValue(value, format as (typeof produceFormats)[number]),
    headers: parseHeaders(headers),
  }
}

function encodeValue(text: string, format: (typeof produceFormats)[number]): Buffer {
  if (format === 'text') return Buffer.from(text, 'utf8')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw invalid(`value is not JSON (${(error as Error).message}); pick format text to send it as is`)
  }
  return format === 'json' ? Buffer.from(JSON.stringify(parsed), 'utf8') : codecs.msgpack.encode(parsed)
}

function parseHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined || headers === null) return {}
  if (typeof headers !== 'object' || Array.isArray(headers))
    throw invalid('headers must be an object of header names to text values')
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw invalid(`header ${JSON.stringify(name)} must have a text value`)
    if (name === '') throw invalid('a header name must not be empty')
    out[name] = value
  }
  return out
}
