// Decodes one LZ4 block (the sequence format of the LZ4 block specification) into an output buffer
// that already holds everything decoded before it, so a match may reach back into earlier blocks of
// a linked frame. Pure TypeScript so the output bound is exact: decoding stops at `outputEnd` before
// a byte is written past it, whatever the block claims (the native libraries only take a whole
// buffer and give back what it inflates to).

/** Why a block stopped: it ran past `outputEnd`, or its bytes are not a valid block. */
export type BlockFault = 'past-end' | 'malformed'

export interface BlockResult {
  /** Position after the last decoded byte, or -1 when `fault` is set. */
  readonly outputPosition: number
  readonly fault?: BlockFault
}

/** Matches are at least this long: the token stores length minus 4. */
const matchLengthMin = 4
/** Below this a byte loop beats a native copy call. */
const nativeCopyBytesMin = 32

/**
 * Decodes `input[inputStart, inputEnd)` into `output` from `outputPosition`, never writing at or
 * past `outputEnd`. Match offsets may reach back to `outputStart` (0 for linked blocks).
 */
export function decodeLz4Block(
  input: Uint8Array,
  inputStart: number,
  inputEnd: number,
  output: Buffer,
  outputStart: number,
  outputPosition: number,
  outputEnd: number,
): BlockResult {
  let inputPosition = inputStart
  let position = outputPosition
  while (inputPosition < inputEnd) {
    const token = input[inputPosition++]!
    let literalLength = token >>> 4
    if (literalLength === 15) {
      let byte = 255
      while (byte === 255) {
        if (inputPosition >= inputEnd) return malformed()
        byte = input[inputPosition++]!
        literalLength += byte
      }
    }
    if (inputPosition + literalLength > inputEnd) return malformed()
    if (position + literalLength > outputEnd) return pastEnd()
    if (literalLength < nativeCopyBytesMin) {
      for (let index = 0; index < literalLength; index++) output[position++] = input[inputPosition++]!
    } else {
      output.set(input.subarray(inputPosition, inputPosition + literalLength), position)
      position += literalLength
      inputPosition += literalLength
    }
    // The last sequence of a block is literals only.
    if (inputPosition === inputEnd) break
    if (inputPosition + 2 > inputEnd) return malformed()
    const offset = input[inputPosition]! | (input[inputPosition + 1]! << 8)
    inputPosition += 2
    if (offset === 0 || offset > position - outputStart) return malformed()
    let matchLength = (token & 15) + matchLengthMin
    if ((token & 15) === 15) {
      let byte = 255
      while (byte === 255) {
        if (inputPosition >= inputEnd) return malformed()
        byte = input[inputPosition++]!
        matchLength += byte
      }
    }
    if (position + matchLength > outputEnd) return pastEnd()
    let from = position - offset
    if (offset >= matchLength && matchLength >= nativeCopyBytesMin) {
      output.copyWithin(position, from, from + matchLength)
      position += matchLength
    } else {
      // Overlapping (offset < length) repeats the last `offset` bytes: copy forward byte by byte.
      const end = position + matchLength
      while (position < end) output[position++] = output[from++]!
    }
  }
  return { outputPosition: position }
}

function malformed(): BlockResult {
  return { outputPosition: -1, fault: 'malformed' }
}

function pastEnd(): BlockResult {
  return { outputPosition: -1, fault: 'past-end' }
}
