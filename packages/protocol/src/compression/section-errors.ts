// The two ways a compressed records section can fail, shared by every codec so the decoder and the
// broker's validator tell them apart the same way: MESSAGE_TOO_LARGE when it inflates past the cap
// (a decompression bomb, or a batch larger than the reader allows), INVALID_RECORD when it does not
// inflate at all (its CRC held, so the producer built it wrong: sending it again cannot help).
import { WeirError } from '../weir-error.js'

export function inflatesPast(codec: string, uncompressedBytesMax: number): WeirError {
  return new WeirError(
    'MESSAGE_TOO_LARGE',
    `the ${codec} records inflate past ${uncompressedBytesMax} bytes, the cap for one decompressed records section`,
  )
}

export function doesNotInflate(codec: string, reason: string, cause?: unknown): WeirError {
  return new WeirError(
    'INVALID_RECORD',
    `the ${codec} records section does not inflate (${reason})`,
    cause === undefined ? undefined : { cause },
  )
}
