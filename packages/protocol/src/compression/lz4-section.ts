// lz4 sections: an LZ4 frame (lz4-frame.ts) whose blocks are compressed natively by lz4-napi
// (lz4_flex). Frames are parsed here, so the cap is exact; independent blocks are inflated natively
// one block at a time (at most the frame's block size each), linked ones by our TypeScript decoder.
import { decodeLz4Frames, encodeLz4Frame } from './lz4-frame.js'
import { lz4Library } from './native-libraries.js'

/** lz4-napi prepends the block's uncompressed size (4 bytes, little-endian); a frame block has none. */
const sizePrefixBytes = 4

export function compressLz4(section: Buffer): Buffer {
  const library = lz4Library()
  return encodeLz4Frame(section, (block) => library.compressSync(block as Buffer).subarray(sizePrefixBytes))
}

export function decompressLz4(section: Buffer, uncompressedBytesMax: number): Buffer {
  const library = lz4Library()
  return decodeLz4Frames(section, uncompressedBytesMax, (block) => library.uncompressSync(block))
}
