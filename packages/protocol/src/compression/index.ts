// compress / decompress a record batch's records section with Kafka's codecs (attribute bits 0-2:
// none 0, gzip 1, snappy 2, lz4 3, zstd 4), byte for byte what Kafka clients write and read, so a
// batch passes to them unchanged. Every decompression takes a cap (uncompressedBytesMax) and stops
// there: MESSAGE_TOO_LARGE past it, INVALID_RECORD for a section that does not inflate,
// UNSUPPORTED_COMPRESSION_TYPE when the codec's native library is missing on this platform.
import { Compression, type CompressionName } from '../record-batch-layout.js'
import { compressGzip, decompressGzip } from './gzip-section.js'
import { compressLz4, decompressLz4 } from './lz4-section.js'
import { compressSnappy, decompressSnappy } from './snappy-section.js'
import { compressZstd, decompressZstd } from './zstd-section.js'

export { lz4OutputBound } from './lz4-frame.js'
export { zstdBound } from './zstd-frame-bound.js'

const namesByCode = new Map<number, CompressionName>(
  (Object.keys(Compression) as CompressionName[]).map((name) => [Compression[name], name]),
)

/** The codec of an attribute's compression bits, or undefined for 5 to 7 (no such codec). */
export function compressionNameOf(code: number): CompressionName | undefined {
  return namesByCode.get(code)
}

export function compress(codec: CompressionName, section: Buffer): Buffer {
  switch (codec) {
    case 'none':
      return section
    case 'gzip':
      return compressGzip(section)
    case 'snappy':
      return compressSnappy(section)
    case 'lz4':
      return compressLz4(section)
    case 'zstd':
      return compressZstd(section)
  }
}

export function decompress(codec: CompressionName, section: Buffer, uncompressedBytesMax: number): Buffer {
  switch (codec) {
    case 'none':
      return section
    case 'gzip':
      return decompressGzip(section, uncompressedBytesMax)
    case 'snappy':
      return decompressSnappy(section, uncompressedBytesMax)
    case 'lz4':
      return decompressLz4(section, uncompressedBytesMax)
    case 'zstd':
      return decompressZstd(section, uncompressedBytesMax)
  }
}
