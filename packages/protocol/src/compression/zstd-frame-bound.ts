// What a zstd section can inflate to, read from frame and block headers alone (RFC 8878 §3.1):
// raw and RLE blocks state their decompressed size, a compressed block decodes to at most the
// frame's Block_Maximum_Size (min(Window_Size, 128 KiB); libzstd refuses a block that decodes
// larger). The sum lets the fast native decoder run only on sections that cannot pass the cap, and
// the window size bounds what the capped fallback decoder allocates.
import { doesNotInflate } from './section-errors.js'

const frameMagic = 0xfd2fb528
const skippableMagicMask = 0xfffffff0
const skippableMagic = 0x184d2a50
const blockBytesMax = 128 * 1024
const contentSizeBytes = [0, 2, 4, 8] as const

export interface ZstdBound {
  /** Most bytes the section can inflate to. */
  readonly outputBytesMax: number
  /** Largest Window_Size a frame declares: what a streaming decoder allocates for history. */
  readonly windowBytesMax: number
}

/** Errors: INVALID_RECORD for a section that is not a sequence of whole zstd (or skippable) frames. */
export function zstdBound(section: Buffer): ZstdBound {
  let outputBytesMax = 0
  let windowBytesMax = 0
  let position = 0
  while (position < section.length) {
    need(section, position, 4)
    const magic = section.readUInt32LE(position)
    if ((magic & skippableMagicMask) >>> 0 === skippableMagic) {
      need(section, position, 8)
      position += 8 + section.readUInt32LE(position + 4)
      need(section, position, 0)
      continue
    }
    if (magic !== frameMagic) throw doesNotInflate('zstd', `no zstd frame magic at byte ${position}`)
    const frame = readFrameHeader(section, position + 4)
    windowBytesMax = Math.max(windowBytesMax, frame.windowBytes)
    const blockMax = Math.min(frame.windowBytes, blockBytesMax)
    position = frame.blocksStart
    for (let last = false; !last; ) {
      need(section, position, 3)
      const header = section.readUIntLE(position, 3)
      last = (header & 1) === 1
      const type = (header >>> 1) & 0b11
      const size = header >>> 3
      position += 3
      if (type === 3) throw doesNotInflate('zstd', 'a block of the reserved type 3')
      if (type === 0) outputBytesMax += size
      else if (type === 1) outputBytesMax += size
      else outputBytesMax += blockMax
      position += type === 1 ? 1 : size
      need(section, position, 0)
    }
    position += frame.checksum ? 4 : 0
    need(section, position, 0)
  }
  return { outputBytesMax, windowBytesMax }
}

function readFrameHeader(
  section: Buffer,
  position: number,
): { blocksStart: number; windowBytes: number; checksum: boolean } {
  need(section, position, 1)
  const descriptor = section[position]!
  if ((descriptor & 0b1000) !== 0) throw doesNotInflate('zstd', 'a frame header sets the reserved bit')
  // Kafka uses no dictionaries, and the fallback decoder cannot apply one.
  if ((descriptor & 0b11) !== 0) throw doesNotInflate('zstd', 'a frame needs a dictionary')
  const singleSegment = (descriptor & 0b10_0000) !== 0
  const contentSizeFlag = descriptor >>> 6
  let cursor = position + 1
  let windowBytes = 0
  if (!singleSegment) {
    need(section, cursor, 1)
    const windowDescriptor = section[cursor++]!
    const base = 2 ** (10 + (windowDescriptor >>> 3))
    windowBytes = base + (base / 8) * (windowDescriptor & 0b111)
  }
  const sizeBytes = contentSizeFlag === 0 ? (singleSegment ? 1 : 0) : contentSizeBytes[contentSizeFlag]!
  need(section, cursor, sizeBytes)
  if (singleSegment) windowBytes = contentSize(section, cursor, sizeBytes)
  return { blocksStart: cursor + sizeBytes, windowBytes, checksum: (descriptor & 0b100) !== 0 }
}

function contentSize(section: Buffer, position: number, bytes: number): number {
  if (bytes === 1) return section[position]!
  if (bytes === 2) return section.readUInt16LE(position) + 256
  if (bytes === 4) return section.readUInt32LE(position)
  return section.readUInt32LE(position) + section.readUInt32LE(position + 4) * 2 ** 32
}

function need(section: Buffer, position: number, bytes: number): void {
  if (position + bytes > section.length) throw doesNotInflate('zstd', 'a frame is cut off')
}
