// gzip sections: Node's zlib, whose maxOutputLength stops inflating at the cap.
import { gunzipSync, gzipSync } from 'node:zlib'
import { doesNotInflate, inflatesPast } from './section-errors.js'

export function compressGzip(section: Buffer): Buffer {
  return gzipSync(section)
}

export function decompressGzip(section: Buffer, uncompressedBytesMax: number): Buffer {
  try {
    return gunzipSync(section, { maxOutputLength: Math.max(uncompressedBytesMax, 1) })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw inflatesPast('gzip', uncompressedBytesMax)
    }
    throw doesNotInflate('gzip', (error as Error).message, error)
  }
}
