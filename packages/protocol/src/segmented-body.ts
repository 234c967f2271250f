// A body whose large byte fields travel as raw trailing segments after a small msgpack header, so
// neither side copies record bytes into or out of a msgpack encoding: the writer hands the header
// and the segments to the socket as they are (one writev), the reader takes views of the frame.
//   segmented body = segmentCount:u32 segmentLength:u32 × segmentCount header:msgpack segment × segmentCount
// In the header, a byte field carried as a segment is the map { "\u0000segment": index }; decoding
// puts a view of segment `index` back in its place, so an API's field checks see the same Buffer
// shape as in a plain msgpack body. Every length is checked against the body before it is used: a
// malformed body is INVALID_REQUEST, never a read past the frame.
import { decodeBody, encodeBody } from './body-codec.js'
import { WeirError } from './weir-error.js'

/** The header key marking a segment reference: no protocol field name starts with a NUL. */
export const segmentReferenceKey = '\u0000segment'
const countBytes = 4
const lengthBytes = 4

/** What a writer sends: `prefix` (segment table and msgpack header), then every segment as it is. */
export interface SegmentedBody {
  readonly prefix: Buffer
  readonly segments: readonly Buffer[]
  readonly bytes: number
}

/**
 * Encodes `body` with every Buffer (or Uint8Array) of at least `segmentBytesMin` bytes moved out as
 * a segment. Smaller byte fields stay inline: a segment costs a table entry and a reference map.
 */
export function encodeSegmentedBody(body: unknown, segmentBytesMin = 0): SegmentedBody {
  const segments: Buffer[] = []
  const header = encodeBody(extractSegments(body, segments, segmentBytesMin))
  const prefix = Buffer.allocUnsafe(countBytes + lengthBytes * segments.length + header.length)
  prefix.writeUInt32BE(segments.length, 0)
  let bytes = prefix.length
  for (let index = 0; index < segments.length; index++) {
    prefix.writeUInt32BE(segments[index]!.length, countBytes + lengthBytes * index)
    bytes += segments[index]!.length
  }
  header.copy(prefix, countBytes + lengthBytes * segments.length)
  return { prefix, segments, bytes }
}

/**
 * Decodes a segmented body; byte fields come back as views of `body` (no copy: they live as long
 * as the frame). Errors: INVALID_REQUEST for a table that does not fit the body, a header that is
 * not msgpack, or a reference to a segment that does not exist.
 */
export function decodeSegmentedBody(body: Buffer, what: string): unknown {
  if (body.length < countBytes) {
    throw new WeirError(
      'INVALID_REQUEST',
      `${what}: segmented body of ${body.length} bytes has no segment count`,
    )
  }
  const count = body.readUInt32BE(0)
  const tableEnd = countBytes + lengthBytes * count
  if (tableEnd > body.length) {
    throw new WeirError(
      'INVALID_REQUEST',
      `${what}: ${count} segments declared, but the body of ${body.length} bytes cannot hold their table`,
    )
  }
  let segmentBytes = 0
  for (let index = 0; index < count; index++)
    segmentBytes += body.readUInt32BE(countBytes + lengthBytes * index)
  const headerEnd = body.length - segmentBytes
  if (headerEnd <= tableEnd) {
    throw new WeirError(
      'INVALID_REQUEST',
      `${what}: segments declare ${segmentBytes} bytes, more than the body of ${body.length} bytes leaves after the header`,
    )
  }
  const segments = new Array<Buffer>(count)
  let position = headerEnd
  for (let index = 0; index < count; index++) {
    const length = body.readUInt32BE(countBytes + lengthBytes * index)
    segments[index] = body.subarray(position, position + length)
    position += length
  }
  const header = decodeBody(body.subarray(tableEnd, headerEnd), what)
  return count === 0 ? header : restoreSegments(header, segments, what)
}

/** A copy of `value` whose large byte fields are references; `segments` receives the bytes in order. */
function extractSegments(value: unknown, segments: Buffer[], segmentBytesMin: number): unknown {
  if (value instanceof Uint8Array) {
    if (value.length < segmentBytesMin) return value
    segments.push(Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length))
    return { [segmentReferenceKey]: segments.length - 1 }
  }
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map((item) => extractSegments(item, segments, segmentBytesMin))
  const copy: Record<string, unknown> = {}
  for (const key in value) {
    const field = (value as Record<string, unknown>)[key]
    // Absent optional fields stay absent, as the plain body codec would leave them.
    if (field !== undefined) copy[key] = extractSegments(field, segments, segmentBytesMin)
  }
  return copy
}

/** Replaces each reference in the decoded header with its segment. Iterative: depth is the sender's choice. */
function restoreSegments(root: unknown, segments: readonly Buffer[], what: string): unknown {
  const holder = { root }
  const pending: object[] = [holder]
  // Bounded by the decoded header's size, which the frame limit bounds.
  while (pending.length > 0) {
    const container = pending.pop() as Record<string, unknown>
    for (const key in container) {
      const value = container[key]
      if (typeof value !== 'object' || value === null || value instanceof Uint8Array) continue
      const reference = segmentIndex(value, segments.length, what)
      if (reference !== undefined) container[key] = segments[reference]
      else pending.push(value)
    }
  }
  return holder.root
}

/** The index a reference map names, or undefined for any other object. */
function segmentIndex(value: object, count: number, what: string): number | undefined {
  if (!Object.hasOwn(value, segmentReferenceKey)) return undefined
  const index = (value as Record<string, unknown>)[segmentReferenceKey]
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new WeirError(
      'INVALID_REQUEST',
      `${what}: a field refers to segment ${String(index)}, but the body carries ${count}`,
    )
  }
  return index
}
