// zstd sections are plain zstd frames (what Kafka clients write). Compression is native (libzstd
// through @toondepauw/node-zstd, level 3 as Kafka's default). Decompression is native when the
// frame headers prove the output fits the cap (zstdBound); otherwise the pure-JS fzstd decoder
// streams block by block and stops at the cap, so a bomb never inflates whole. Node 20's zlib has
// no zstd, and the native decoder takes no output limit.
import { Decompress } from 'fzstd'
import { zstdLibrary } from './native-libraries.js'
import { trimmedOutput } from './output-buffer.js'
import { doesNotInflate, inflatesPast } from './section-errors.js'
import { zstdBound } from './zstd-frame-bound.js'

/** Kafka's default compression.zstd.level. */
const zstdLevel = 3
/** History a capped fallback may allocate beyond the cap: the 8 MiB window of zstd's level 19. */
const fallbackWindowBytesMax = 8 * 1024 * 1024

type ZstdLibraryType = ReturnType<typeof zstdLibrary>
let encoder: InstanceType<ZstdLibraryType['Encoder']> | undefined
let decoder: InstanceType<ZstdLibraryType['Decoder']> | undefined

export function compressZstd(section: Buffer): Buffer {
  const library = zstdLibrary()
  encoder ??= new library.Encoder(zstdLevel)
  return encoder.encodeSync(section)
}

export function decompressZstd(section: Buffer, uncompressedBytesMax: number): Buffer {
  const bound = zstdBound(section)
  if (bound.outputBytesMax <= uncompressedBytesMax) return decompressNative(section, uncompressedBytesMax)
  return decompressCapped(section, uncompressedBytesMax, bound.windowBytesMax)
}

function decompressNative(section: Buffer, uncompressedBytesMax: number): Buffer {
  const library = zstdLibrary()
  decoder ??= new library.Decoder()
  let output: Buffer
  try {
    output = decoder.decodeSync(section)
  } catch (error) {
    throw doesNotInflate('zstd', (error as Error).message, error)
  }
  // Cannot happen while libzstd enforces Block_Maximum_Size; kept so a library change cannot lift the cap.
  if (output.length > uncompressedBytesMax) throw inflatesPast('zstd', uncompressedBytesMax)
  return output
}

class CapReached extends Error {}

function decompressCapped(section: Buffer, uncompressedBytesMax: number, windowBytes: number): Buffer {
  if (windowBytes > Math.max(uncompressedBytesMax, fallbackWindowBytesMax)) {
    throw inflatesPast('zstd', uncompressedBytesMax)
  }
  const output = Buffer.allocUnsafe(uncompressedBytesMax)
  let position = 0
  const stream = new Decompress((chunk) => {
    if (position + chunk.length > uncompressedBytesMax) throw new CapReached()
    output.set(chunk, position)
    position += chunk.length
  })
  try {
    stream.push(section, true)
  } catch (error) {
    if (error instanceof CapReached) throw inflatesPast('zstd', uncompressedBytesMax)
    throw doesNotInflate('zstd', (error as Error).message, error)
  }
  return trimmedOutput(output, position)
}
