// Which body shape a request or response of an API version uses, and frames as lists of buffers
// written in one go. Version 0 of every API is one msgpack body; an API that lists a version in
// `segmentedSince` sends its byte fields as trailing segments from that version on
// (segmented-body.ts), so record batches go from the log to the socket, and from the socket to
// the consumer, without passing through msgpack.
import type { ApiDefinition } from './apis/api.js'
import { decodeBody, encodeBody } from './body-codec.js'
import type { TransportSocket } from './environment.js'
import { frameLengthBytes, type RequestHeader, requestHeaderBytes, responseHeaderBytes } from './frame.js'
import { decodeSegmentedBody, encodeSegmentedBody } from './segmented-body.js'

/** Byte fields shorter than this stay inline in the msgpack header: a segment is not worth its table entry. */
export const segmentBytesMin = 256

type Direction = 'request' | 'response'

function segmented(api: ApiDefinition<unknown, unknown>, direction: Direction, version: number): boolean {
  const since = api.segmentedSince?.[direction]
  return since !== undefined && version >= since
}

/** The body bytes of a request or response frame, as buffers in order (one for a plain body). */
function encodeApiBody(
  api: ApiDefinition<unknown, unknown>,
  direction: Direction,
  version: number,
  body: unknown,
): { readonly parts: readonly Buffer[]; readonly bytes: number } {
  if (!segmented(api, direction, version)) return plainBody(body)
  const encoded = encodeSegmentedBody(body, segmentBytesMin)
  return { parts: [encoded.prefix, ...encoded.segments], bytes: encoded.bytes }
}

function plainBody(body: unknown): { readonly parts: readonly Buffer[]; readonly bytes: number } {
  const plain = encodeBody(body)
  return { parts: [plain], bytes: plain.length }
}

/** Decodes a request or response body in the shape its version uses. Errors: INVALID_REQUEST. */
export function decodeApiBody(
  api: ApiDefinition<unknown, unknown>,
  direction: Direction,
  version: number,
  body: Buffer,
): unknown {
  return segmented(api, direction, version) ? decodeSegmentedBody(body, api.name) : decodeBody(body, api.name)
}

/** A request frame as buffers to write in order: length and header first, then the body's parts. */
export function encodeApiRequestFrame<Request>(
  api: ApiDefinition<Request, unknown>,
  header: RequestHeader,
  request: Request,
): Buffer[] {
  const { parts, bytes } = encodeApiBody(
    api as ApiDefinition<unknown, unknown>,
    'request',
    header.apiVersion,
    request,
  )
  const head = Buffer.allocUnsafe(frameLengthBytes + requestHeaderBytes)
  head.writeUInt32BE(requestHeaderBytes + bytes, 0)
  head.writeUInt16BE(header.apiKey, 4)
  head.writeUInt16BE(header.apiVersion, 6)
  head.writeUInt32BE(header.correlationId >>> 0, 8)
  return [head, ...parts]
}

/** A response frame as buffers to write in order. `api` undefined: a plain body (a request refused before its API was known). */
export function encodeApiResponseFrame(
  api: ApiDefinition<unknown, unknown> | undefined,
  version: number,
  correlationId: number,
  response: unknown,
): Buffer[] {
  const { parts, bytes } =
    api === undefined ? plainBody(response) : encodeApiBody(api, 'response', version, response)
  const head = Buffer.allocUnsafe(frameLengthBytes + responseHeaderBytes)
  head.writeUInt32BE(responseHeaderBytes + bytes, 0)
  head.writeUInt32BE(correlationId >>> 0, 4)
  return [head, ...parts]
}

/**
 * Writes a frame's buffers as one unit. A socket that can cork (node:net, TLS) gets them as one
 * writev, no copy; any other (the in-memory transport, whose simulated faults act on whole
 * write() calls) gets one concatenated write, so a frame is never split across writes.
 * `callback` runs once the last buffer is written (or with the error).
 */
export function writeFrame(
  socket: TransportSocket,
  parts: readonly Buffer[],
  callback?: (error?: Error | null) => void,
): boolean {
  if (parts.length === 1) return socket.write(parts[0]!, callback)
  if (socket.cork === undefined || socket.uncork === undefined) {
    return socket.write(Buffer.concat(parts as Buffer[]), callback)
  }
  socket.cork()
  let room = true
  const last = parts.length - 1
  for (let index = 0; index < last; index++) room = socket.write(parts[index]!) && room
  room = socket.write(parts[last]!, callback) && room
  socket.uncork()
  return room
}
