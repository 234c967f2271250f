// What a consumer yields and what a producer takes, and the conversions between user-facing keys and
// headers and the bytes a record batch stores.
import type { DecodedHeader, RecordHeader } from '@weir/protocol'

export type Key = string | Buffer | null
export type Headers = Record<string, string | Buffer>

export interface Message<T> {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  /** Milliseconds since the epoch, as the producer set it. */
  readonly timestamp: number
  /** The key as UTF-8 text, or null; `keyBytes` has the exact bytes. */
  readonly key: string | null
  readonly keyBytes: Buffer | null
  /** The decoded value. A record stored with a null value (a tombstone) yields null. */
  readonly value: T
  /** Header values as UTF-8 text (a null header value becomes ''); `rawHeaders` has the bytes. */
  readonly headers: Record<string, string>
  readonly rawHeaders: readonly DecodedHeader[]
}

export function keyToBytes(key: Key | undefined): Buffer | null {
  if (key === null || key === undefined) return null
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : key
}

export function headersToRecord(headers: Headers | undefined): RecordHeader[] | undefined {
  if (headers === undefined) return undefined
  const out: RecordHeader[] = []
  for (const [key, value] of Object.entries(headers)) {
    out.push({ key, value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value })
  }
  return out
}

export function headersToText(headers: readonly DecodedHeader[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const header of headers) out[header.key] = header.value?.toString('utf8') ?? ''
  return out
}
