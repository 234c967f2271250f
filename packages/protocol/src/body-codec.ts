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

/** Decodes one msgpack value filling all of `bytes`; anything else is INVALID_REQUEST. */
export function decodeBody(bytes: Uint8Array, what: string): unknown {
  let value: unknown
  try {
    value = packr.unpack(bytes)
  } catch (error) {
    throw new WeirError('INVALID_REQUEST', `${what}: body is not valid msgpack`, { cause: error })
  }
  return value
}
