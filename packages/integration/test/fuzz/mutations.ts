// Mutations of valid frames, as data a fast-check arbitrary generates: bit flips, bytes set to
// msgpack's dangerous markers (array32/map32/bin32 headers claiming 2^32-1 items), truncation,
// trailing garbage, lying length fields, random api keys and versions, bodies of another API, a
// field of the decoded body replaced by a hostile value (bigint and timestamp extensions, 2^64,
// NaN, huge strings and arrays, deep nesting), and record batches damaged inside their bin with
// the CRC fixed up, so the batch decoder is reached past the checksum.
import { batchCrcStart, computeBatchCrc, decodeBody, encodeBody, encodeRequestFrame } from '@weir/protocol'
import fc from 'fast-check'
import type { CorpusRequest } from './corpus.js'

export type Mutation =
  | { readonly kind: 'flip'; readonly bits: readonly number[] }
  | { readonly kind: 'set'; readonly at: readonly number[]; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'extend'; readonly bytes: Uint8Array }
  | { readonly kind: 'header'; readonly apiKey: number; readonly apiVersion: number }
  | { readonly kind: 'splice'; readonly other: number }
  | { readonly kind: 'field'; readonly path: readonly number[]; readonly value: number }
  | { readonly kind: 'batch'; readonly bits: readonly number[]; readonly fixCrc: boolean }
  | { readonly kind: 'insert'; readonly at: number; readonly snippet: number }

/** The whole frame's length field is a lie: only ever the last frame on a connection. */
export interface LengthLie {
  readonly declared: number
}

export interface MutatedFrame {
  readonly sample: number
  readonly mutations: readonly Mutation[]
  readonly lengthLie?: LengthLie | null | undefined
}

// msgpack markers that make a decoder allocate or recurse: array32, map32, bin32, str32, ext8,
// fixext1, uint64, int64, float64, the never-used 0xc1, and plain extremes.
const markers = [
  0xdd, 0xdf, 0xc6, 0xdb, 0xc7, 0xd4, 0xcf, 0xd3, 0xcb, 0xc1, 0x00, 0xff, 0x7f, 0x80, 0x90, 0x80,
]

function deep(levels: number): unknown {
  let value: unknown = 0
  for (let level = 0; level < levels; level++) value = [value]
  return value
}

/** Values a decoder must refuse with a typed error (or accept and handle), never crash on. */
export const hostileValues: readonly unknown[] = [
  -1,
  -(2 ** 31),
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 64,
  1e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -0,
  0.5,
  2n ** 63n - 1n,
  -(2n ** 63n),
  '',
  'x'.repeat(40_000),
  '../../x',
  [],
  {},
  null,
  true,
  Buffer.alloc(0),
  Buffer.alloc(16, 0xff),
  new Date(0),
  deep(200),
  new Array(5000).fill(0),
  { __proto__: null, constructor: 1, toString: 2 },
]

const position = fc.nat({ max: 1 << 20 })

/**
 * Raw msgpack that encodeBody never writes, replacing one byte of the body: containers claiming
 * 2^32-1 (or 65,535) entries with nothing after, a bigint extension (msgpackr's 0x42), a timestamp
 * extension, an unknown extension, the reserved 0xc1.
 */
export const snippets: readonly Buffer[] = [
  [0xdd, 0xff, 0xff, 0xff, 0xff],
  [0xdf, 0xff, 0xff, 0xff, 0xff],
  [0xc6, 0xff, 0xff, 0xff, 0xff],
  [0xdb, 0xff, 0xff, 0xff, 0xff],
  [0xdc, 0xff, 0xff],
  [0xde, 0xff, 0xff],
  [0xd4, 0x42, 0xff],
  [0xc7, 0x09, 0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0xd6, 0xff, 0x00, 0x00, 0x00, 0x01],
  [0xd4, 0x00, 0x01],
  [0xd4, 0x7f, 0x01],
  [0xc1],
].map((bytes) => Buffer.from(bytes))

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      bits: fc.array(fc.nat({ max: 1 << 23 }), { minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      at: fc.array(position, { minLength: 1, maxLength: 4 }),
      value: fc.constantFrom(...markers),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: position }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('extend' as const),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('header' as const),
      apiKey: fc.oneof(fc.nat({ max: 40 }), fc.nat({ max: 65_535 })),
      apiVersion: fc.oneof(fc.constant(0), fc.nat({ max: 65_535 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('splice' as const), other: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('field' as const),
      path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
      value: fc.nat({ max: hostileValues.length + snippets.length - 1 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      bits: fc.array(fc.nat({ max: 1 << 16 }), { minLength: 1, maxLength: 4 }),
      fixCrc: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: position,
      snippet: fc.nat({ max: snippets.length - 1 }),
    }),
  },
)

export function mutatedFrameArbitrary(lengthLies: boolean): fc.Arbitrary<MutatedFrame> {
  return fc.record({
    sample: fc.nat(),
    mutations: fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }),
    // About one frame in 100 lies about its length: it ends its connection, so rarer keeps rounds long.
    lengthLie: lengthLies
      ? fc.oneof(
          { weight: 99, arbitrary: fc.constant(null) },
          {
            weight: 1,
            arbitrary: fc.record({
              declared: fc.oneof(
                fc.nat({ max: 16 }),
                fc.nat({ max: 2 ** 32 - 1 }),
                fc.integer({ min: 12, max: 70_000 }),
              ),
            }),
          },
        )
      : fc.constant(undefined),
  }) as fc.Arbitrary<MutatedFrame>
}

/** The request the mutation describes, as header fields and a body. */
interface Request {
  apiKey: number
  apiVersion: number
  body: Buffer
}

/** The bytes to send: a whole frame, length field included (a lie when `frame.lengthLie` says so). */
export function buildFrame(
  corpus: readonly CorpusRequest[],
  frame: MutatedFrame,
  correlationId: number,
): Buffer {
  const base = corpus[frame.sample % corpus.length]!
  let request: Request = { apiKey: base.apiKey, apiVersion: base.apiVersion, body: Buffer.from(base.body) }
  for (const mutation of frame.mutations) {
    try {
      request = applyMutation(corpus, request, mutation)
    } catch {
      // Re-encoding a mutated body can fail (a bigint past 64 bits): that mutation is skipped.
    }
  }
  const bytes = encodeRequestFrame(
    { apiKey: request.apiKey, apiVersion: request.apiVersion, correlationId },
    request.body,
  )
  if (frame.lengthLie) bytes.writeUInt32BE(frame.lengthLie.declared >>> 0, 0)
  return bytes
}

function applyMutation(corpus: readonly CorpusRequest[], request: Request, mutation: Mutation): Request {
  const body = request.body
  switch (mutation.kind) {
    case 'flip': {
      if (body.length === 0) return request
      const flipped = Buffer.from(body)
      for (const bit of mutation.bits) {
        const at = (bit >>> 3) % flipped.length
        flipped[at] = flipped[at]! ^ (1 << (bit & 7))
      }
      return { ...request, body: flipped }
    }
    case 'set': {
      if (body.length === 0) return request
      const set = Buffer.from(body)
      for (const at of mutation.at) set[at % set.length] = mutation.value
      return { ...request, body: set }
    }
    case 'truncate':
      return { ...request, body: body.subarray(0, body.length === 0 ? 0 : mutation.at % body.length) }
    case 'extend':
      return { ...request, body: Buffer.concat([body, mutation.bytes]) }
    case 'header':
      return { ...request, apiKey: mutation.apiKey, apiVersion: mutation.apiVersion }
    case 'splice':
      return { ...request, body: Buffer.from(corpus[mutation.other % corpus.length]!.body) }
    case 'field': {
      if (mutation.value < hostileValues.length) {
        return { ...request, body: replaceField(body, mutation.path, hostileValues[mutation.value]) }
      }
      // A raw snippet in place of the field: encode a marker string there, then swap its bytes.
      const marker = encodeBody('\u0000weir-fuzz-raw\u0000')
      const encoded = replaceField(body, mutation.path, '\u0000weir-fuzz-raw\u0000')
      const at = encoded.indexOf(marker)
      if (at < 0) return { ...request, body: encoded }
      const snippet = snippets[mutation.value - hostileValues.length]!
      return {
        ...request,
        body: Buffer.concat([encoded.subarray(0, at), snippet, encoded.subarray(at + marker.length)]),
      }
    }
    case 'batch':
      return { ...request, body: damageBatches(body, mutation.bits, mutation.fixCrc) }
    case 'insert': {
      const at = body.length === 0 ? 0 : mutation.at % body.length
      return {
        ...request,
        body: Buffer.concat([body.subarray(0, at), snippets[mutation.snippet]!, body.subarray(at + 1)]),
      }
    }
  }
}

/** Replaces the value found by walking `path` (each step an index into the keys or items there). */
function replaceField(body: Buffer, path: readonly number[], value: unknown): Buffer {
  let root: unknown
  try {
    root = decodeBody(body, 'fuzz')
  } catch {
    return body
  }
  if (typeof root !== 'object' || root === null) return encodeBody(value)
  let parent = root as Record<string, unknown>
  for (const [depth, step] of path.entries()) {
    const keys = Object.keys(parent)
    if (keys.length === 0) break
    const key = keys[step % keys.length]!
    const child = parent[key]
    const last = depth === path.length - 1
    if (last || typeof child !== 'object' || child === null || Buffer.isBuffer(child)) {
      parent[key] = value
      return encodeBody(root)
    }
    parent = child as Record<string, unknown>
  }
  return encodeBody(root)
}

/** Flips bits inside every bin that looks like a record batch, then (maybe) fixes its CRC. */
function damageBatches(body: Buffer, bits: readonly number[], fixCrc: boolean): Buffer {
  let root: unknown
  try {
    root = decodeBody(body, 'fuzz')
  } catch {
    return body
  }
  let damaged = false
  const visit = (value: unknown, depth: number): unknown => {
    if (depth > 8) return value
    if (Buffer.isBuffer(value) && value.length > batchCrcStart) {
      const copy = Buffer.from(value)
      for (const bit of bits) {
        const at = (bit >>> 3) % copy.length
        copy[at] = copy[at]! ^ (1 << (bit & 7))
      }
      if (fixCrc) {
        try {
          copy.writeUInt32BE(computeBatchCrc(copy, 0, copy.length), crcOffset)
        } catch {
          // A size field damaged past the buffer: leave the CRC as it is.
        }
      }
      damaged = true
      return copy
    }
    if (Array.isArray(value)) return value.map((item) => visit(item, depth + 1))
    if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, depth + 1)]))
    }
    return value
  }
  const result = visit(root, 0)
  return damaged ? encodeBody(result) : body
}

const crcOffset = batchCrcStart - 4

/** Every place in a decoded body (map keys and array items, at most `limit`), as key paths. */
export function fieldPaths(body: Buffer, limit = 200): (string | number)[][] {
  let root: unknown
  try {
    root = decodeBody(body, 'fuzz')
  } catch {
    return []
  }
  const paths: (string | number)[][] = []
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (paths.length >= limit || typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.slice(0, 3).map((item, index) => [index, item])
      : Object.entries(value)
    for (const [key, item] of entries) {
      paths.push([...path, key])
      visit(item, [...path, key])
    }
  }
  visit(root, [])
  return paths
}

/** The body with the value at `path` replaced: by a value, or by raw msgpack bytes. */
export function replaceAt(
  body: Buffer,
  path: readonly (string | number)[],
  replacement: { value: unknown } | { raw: Buffer },
): Buffer {
  const root = decodeBody(body, 'fuzz') as Record<string | number, unknown>
  const marker = '\u0000weir-fuzz-raw\u0000'
  let parent = root
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  parent[path[path.length - 1]!] = 'value' in replacement ? replacement.value : marker
  const encoded = encodeBody(root)
  if ('value' in replacement) return encoded
  const encodedMarker = encodeBody(marker)
  const at = encoded.indexOf(encodedMarker)
  return Buffer.concat([
    encoded.subarray(0, at),
    replacement.raw,
    encoded.subarray(at + encodedMarker.length),
  ])
}

/** Every sample with each field in turn replaced by each hostile value and raw snippet. */
export function fieldVariants(samples: readonly CorpusRequest[]): CorpusRequest[] {
  const variants: CorpusRequest[] = []
  const replacements = [...hostileValues.map((value) => ({ value })), ...snippets.map((raw) => ({ raw }))]
  for (const sample of samples) {
    for (const path of fieldPaths(sample.body)) {
      for (const replacement of replacements) {
        try {
          variants.push({ ...sample, body: replaceAt(sample.body, path, replacement) })
        } catch {
          // Not encodable (a bigint past 64 bits): nothing to send.
        }
      }
    }
  }
  return variants
}
