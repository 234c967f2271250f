// Shape checks for decoded msgpack bodies. Bytes from the network are untrusted: every field is
// checked for type and range and a mismatch is an INVALID_REQUEST naming the field path, so the
// broker answers with a typed error instead of crashing on `undefined`.
import { WeirError } from './weir-error.js'

export type Fields = Record<string, unknown>

function fail(path: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
  // A number is named by value: "must be from 1 to 1000000, got 2000000" says what to change.
  const shown = typeof value === 'number' ? `${got} ${value}` : got
  throw new WeirError('INVALID_REQUEST', `field ${path} must be ${expected}, got ${shown}`)
}

export function object(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value)) {
    fail(path, 'a map', value)
  }
  return value as Fields
}

export function integer(
  fields: Fields,
  name: string,
  path: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = fields[name]
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${path}.${name}`, `an integer from ${min} to ${max}`, value)
  }
  return value
}

export function optionalInteger(
  fields: Fields,
  name: string,
  path: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  return fields[name] === undefined || fields[name] === null
    ? fallback
    : integer(fields, name, path, min, max)
}

export function string(fields: Fields, name: string, path: string, lengthMax = 32_767): string {
  const value = fields[name]
  if (typeof value !== 'string' || value.length > lengthMax)
    fail(`${path}.${name}`, `a string of at most ${lengthMax} characters`, value)
  return value
}

export function optionalString(fields: Fields, name: string, path: string): string | undefined {
  return fields[name] === undefined || fields[name] === null ? undefined : string(fields, name, path)
}

/** `array` for a field that may be absent (undefined); absent stays absent. */
export function optionalArray<T>(
  fields: Fields,
  name: string,
  path: string,
  item: (value: unknown, path: string) => T,
  lengthMax?: number,
): T[] | undefined {
  return fields[name] === undefined || fields[name] === null
    ? undefined
    : array(fields, name, path, item, lengthMax)
}

export function boolean(fields: Fields, name: string, path: string, fallback: boolean): boolean {
  const value = fields[name]
  if (value === undefined || value === null) return fallback
  if (typeof value !== 'boolean') fail(`${path}.${name}`, 'a boolean', value)
  return value
}

export function bytes(fields: Fields, name: string, path: string): Buffer {
  const value = fields[name]
  if (!(value instanceof Uint8Array)) fail(`${path}.${name}`, 'binary', value)
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/** A binary field of exactly one of `lengths` bytes (a nonce, a MAC). */
export function sizedBytes(fields: Fields, name: string, path: string, lengths: readonly number[]): Buffer {
  const value = bytes(fields, name, path)
  if (!lengths.includes(value.length)) {
    throw new WeirError(
      'INVALID_REQUEST',
      `field ${path}.${name} must be ${lengths.join(' or ')} bytes, got ${value.length}`,
    )
  }
  return value
}

/** Checks an array field (at most `lengthMax` items) and maps each item with `item`. */
export function array<T>(
  fields: Fields,
  name: string,
  path: string,
  item: (value: unknown, path: string) => T,
  lengthMax = 100_000,
): T[] {
  const value = fields[name]
  if (!Array.isArray(value) || value.length > lengthMax)
    fail(`${path}.${name}`, `an array of at most ${lengthMax} items`, value)
  return value.map((entry, index) => item(entry, `${path}.${name}[${index}]`))
}

export function stringItem(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string', value)
  return value
}

export function integerItem(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    fail(path, 'a non-negative integer', value)
  return value
}

/** Fields every response may carry: a request-level error (0 = none). */
export interface ResponseError {
  readonly errorCode?: number
  readonly errorMessage?: string
}

export function responseError(fields: Fields, path: string): ResponseError {
  const errorCode = optionalInteger(fields, 'errorCode', path, 0, 0, 65_535)
  const errorMessage = optionalString(fields, 'errorMessage', path)
  return errorMessage === undefined ? { errorCode } : { errorCode, errorMessage }
}

/** The `topics: [{ name, partitions: [...] }]` nesting most APIs share; `partition` decodes one partition map. */
export function topicPartitions<T>(
  fields: Fields,
  path: string,
  partition: (fields: Fields, path: string) => T,
): { name: string; partitions: T[] }[] {
  return array(fields, 'topics', path, (value, topicPath) => {
    const topic = object(value, topicPath)
    return {
      name: string(topic, 'name', topicPath, 1000),
      partitions: array(topic, 'partitions', topicPath, (entry, entryPath) =>
        partition(object(entry, entryPath), entryPath),
      ),
    }
  })
}
