// msgpack bodies. One Packr for the whole protocol so broker and client agree byte for byte:
// plain maps (no msgpackr records extension, which other-language clients would not know),
// 64-bit integers read back as numbers (offsets stay below 2^53), binary as Buffer.
import { Packr } from 'msgpackr'
import { WeirError } from './weir-error.js'

const packr = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: 'number',
  variableMapSize: true,
})

export function encodeBody(body: unknown): Buffer {
  return packr.pack(body)
}

/**
 * Decodes one msgpack value filling all of `bytes`; anything else is INVALID_REQUEST. So are
 * msgpack extensions the protocol never uses but msgpackr decodes: a bigint (ext 0x42) or a
 * timestamp (a Date) would reach checks written for numbers, strings and maps, and a bigint breaks
 * JSON.stringify in the error message that names it. (ext 0 is how msgpackr writes undefined, an
 * absent optional field: it stays.)
 */
export function decodeBody(bytes: Uint8Array, what: string): unknown {
  let value: unknown
  try {
    value = packr.unpack(bytes)
  } catch (error) {
    throw new WeirError('INVALID_REQUEST', `${what}: body is not valid msgpack`, { cause: error })
  }
  const foreign = findForeignValue(value)
  if (foreign !== undefined) {
    throw new WeirError(
      'INVALID_REQUEST',
      `${what}: body holds ${foreign}, a msgpack extension the protocol does not use; send integers as msgpack ints`,
    )
  }
  return value
}

/** The kind of the first value no protocol body may hold, or undefined. Iterative: depth is attacker-chosen. */
function findForeignValue(root: unknown): string | undefined {
  const pending: unknown[] = [root]
  // msgpackr decodes its structured-clone extensions (0x69 and 0x70) even when off: 13 bytes make
  // an array that holds itself, and a walk without this set never ended (the broker's event loop
  // spun on one frame; found by the decoder fuzz test). No protocol body shares an object.
  const seen = new Set<object>()
  // Bounded by the decoded value's size, which the frame limit bounds.
  while (pending.length > 0) {
    const value = pending.pop()
    if (typeof value === 'bigint') return 'a bigint'
    if (typeof value !== 'object' || value === null || value instanceof Uint8Array) continue
    if (seen.has(value)) return 'a reference to an object it already holds'
    seen.add(value)
    if (value instanceof Date) return 'a timestamp'
    if (Array.isArray(value)) {
      for (const item of value) pending.push(item)
    } else {
      for (const key in value) pending.push((value as Record<string, unknown>)[key])
    }
  }
  return undefined
}
