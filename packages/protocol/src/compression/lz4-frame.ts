// Kafka's lz4 codec is the LZ4 *frame* format (lz4 Frame Format Description 1.6): magic, a frame
// descriptor, then blocks of at most the declared maximum size, an EndMark, an optional checksum.
// We write what Kafka's own producer writes: 64 KiB independent blocks, no checksums (the batch's
// CRC-32C already covers every byte), so the header is the constant 04 22 4D 18 60 40 82. We read
// any frame the format allows (linked or independent blocks, checksums, content size, skippable
// frames), decoding blocks ourselves so the uncompressed cap is exact.
import { decodeLz4Block } from './lz4-block.js'
import { trimmedOutput } from './output-buffer.js'
import { doesNotInflate, inflatesPast } from './section-errors.js'

const frameMagic = 0x184d2204
/** Skippable frames have magics 0x184D2A50 to 0x184D2A5F. */
const skippableMagicMask = 0xfffffff0
const skippableMagic = 0x184d2a50
/** FLG 0x60 (version 01, independent blocks) and BD 0x40 (64 KiB blocks), then its header checksum. */
const frameHeader = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82])
export const lz4BlockBytes = 64 * 1024
const uncompressedBlockBit = 0x8000_0000
const blockBytesByCode: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 }

/** Compresses one block; returns undefined when compressing would not make it smaller. */
export type Lz4BlockCompressor = (block: Uint8Array) => Uint8Array | undefined

/** One LZ4 frame of 64 KiB blocks; a block that does not shrink is stored as it is. */
export function encodeLz4Frame(section: Uint8Array, compressBlock: Lz4BlockCompressor): Buffer {
  const blocks: Uint8Array[] = []
  let bytes = frameHeader.length + 4
  for (let start = 0; start < section.length; start += lz4BlockBytes) {
    const raw = section.subarray(start, Math.min(start + lz4BlockBytes, section.length))
    const compressed = compressBlock(raw)
    const stored = compressed !== undefined && compressed.length < raw.length
    blocks.push(
      stored ? compressed : raw,
      sizeWord(stored ? compressed.length : raw.length | uncompressedBlockBit),
    )
    bytes += 4 + (stored ? compressed.length : raw.length)
  }
  const frame = Buffer.allocUnsafe(bytes)
  frameHeader.copy(frame, 0)
  let position = frameHeader.length
  for (let index = 0; index < blocks.length; index += 2) {
    frame.set(blocks[index + 1]!, position)
    frame.set(blocks[index]!, position + 4)
    position += 4 + blocks[index]!.length
  }
  frame.writeUInt32LE(0, position)
  return frame
}

function sizeWord(value: number): Uint8Array {
  const word = Buffer.allocUnsafe(4)
  word.writeUInt32LE(value >>> 0, 0)
  return word
}

interface FrameLayout {
  readonly blocksStart: number
  readonly blockBytesMax: number
  readonly linked: boolean
  readonly blockChecksum: boolean
  readonly contentChecksum: boolean
}

/**
 * Decodes one independent block given as lz4-napi's block format: the output size as 4 bytes
 * little-endian, then the block. Returns what it inflates to, never more than that size; throws
 * on a block that does not decode.
 */
export type Lz4BlockDecompressor = (sizePrefixedBlock: Buffer) => Buffer

/**
 * Inflates one or more concatenated frames. Independent blocks go to `decompressBlock` when given
 * (native, ~10x the TypeScript decoder here), linked blocks always to the TypeScript decoder.
 * Errors: MESSAGE_TOO_LARGE past `uncompressedBytesMax`, INVALID_RECORD for bytes that are not a frame.
 */
export function decodeLz4Frames(
  section: Buffer,
  uncompressedBytesMax: number,
  decompressBlock?: Lz4BlockDecompressor,
): Buffer {
  const bound = Math.min(lz4OutputBound(section), uncompressedBytesMax)
  const output = Buffer.allocUnsafe(bound)
  let outputPosition = 0
  let position = 0
  while (position < section.length) {
    if (position + 4 > section.length) throw doesNotInflate('lz4', 'truncated frame magic')
    const magic = section.readUInt32LE(position)
    if ((magic & skippableMagicMask) >>> 0 === skippableMagic) {
      position = skipFrame(section, position)
      continue
    }
    if (magic !== frameMagic) throw doesNotInflate('lz4', `no LZ4 frame magic at byte ${position}`)
    const layout = readFrameHeader(section, position)
    position = layout.blocksStart
    const frameStart = outputPosition
    for (;;) {
      if (position + 4 > section.length) throw doesNotInflate('lz4', 'the frame ends without an EndMark')
      const word = section.readUInt32LE(position)
      position += 4
      if (word === 0) break
      const size = word & ~uncompressedBlockBit
      if (size > layout.blockBytesMax || position + size > section.length) {
        throw doesNotInflate('lz4', `a block of ${size} bytes past the frame's limits`)
      }
      outputPosition = decodeBlock(
        section,
        position,
        size,
        word !== size,
        output,
        frameStart,
        outputPosition,
        {
          layout,
          uncompressedBytesMax,
          decompressBlock,
        },
      )
      position += size + (layout.blockChecksum ? 4 : 0)
    }
    position += layout.contentChecksum ? 4 : 0
    if (position > section.length) throw doesNotInflate('lz4', 'the content checksum is cut off')
  }
  return trimmedOutput(output, outputPosition)
}

function decodeBlock(
  section: Buffer,
  position: number,
  size: number,
  uncompressed: boolean,
  output: Buffer,
  frameStart: number,
  outputPosition: number,
  limits: {
    layout: FrameLayout
    uncompressedBytesMax: number
    decompressBlock?: Lz4BlockDecompressor | undefined
  },
): number {
  if (!uncompressed && !limits.layout.linked && limits.decompressBlock !== undefined) {
    return decodeNative(section, position, size, output, outputPosition, limits)
  }
  const blockEnd = outputPosition + limits.layout.blockBytesMax
  const outputEnd = Math.min(blockEnd, output.length)
  if (uncompressed) {
    if (outputPosition + size > output.length) throw outputFull(output, limits.uncompressedBytesMax)
    section.copy(output, outputPosition, position, position + size)
    return outputPosition + size
  }
  const start = limits.layout.linked ? frameStart : outputPosition
  const result = decodeLz4Block(section, position, position + size, output, start, outputPosition, outputEnd)
  if (result.fault === 'malformed') throw doesNotInflate('lz4', 'a block is not valid LZ4')
  if (result.fault === 'past-end') {
    if (outputEnd === blockEnd) throw doesNotInflate('lz4', "a block inflates past the frame's block size")
    throw outputFull(output, limits.uncompressedBytesMax)
  }
  return result.outputPosition
}

/** The native decoder writes at most the frame's block size, so its memory is bounded before the cap check. */
function decodeNative(
  section: Buffer,
  position: number,
  size: number,
  output: Buffer,
  outputPosition: number,
  limits: {
    layout: FrameLayout
    uncompressedBytesMax: number
    decompressBlock?: Lz4BlockDecompressor | undefined
  },
): number {
  const prefixed = Buffer.allocUnsafe(4 + size)
  prefixed.writeUInt32LE(limits.layout.blockBytesMax, 0)
  section.copy(prefixed, 4, position, position + size)
  let block: Buffer
  try {
    block = limits.decompressBlock!(prefixed)
  } catch (error) {
    throw doesNotInflate('lz4', (error as Error).message, error)
  }
  if (block.length > limits.layout.blockBytesMax) {
    throw doesNotInflate('lz4', "a block inflates past the frame's block size")
  }
  if (outputPosition + block.length > output.length) throw outputFull(output, limits.uncompressedBytesMax)
  block.copy(output, outputPosition)
  return outputPosition + block.length
}

/** The output buffer ends at the cap, or earlier at the bound the block headers allow. */
function outputFull(output: Buffer, uncompressedBytesMax: number): Error {
  if (output.length === uncompressedBytesMax) return inflatesPast('lz4', uncompressedBytesMax)
  return doesNotInflate('lz4', 'the blocks inflate past what their headers allow')
}

function readFrameHeader(section: Buffer, position: number): FrameLayout {
  if (position + 7 > section.length) throw doesNotInflate('lz4', 'truncated frame header')
  const flags = section[position + 4]!
  const blockDescriptor = section[position + 5]!
  if (flags >>> 6 !== 1) throw doesNotInflate('lz4', `frame version ${flags >>> 6} (only 1 exists)`)
  if ((flags & 0b1) !== 0) throw doesNotInflate('lz4', 'the frame needs a dictionary')
  const blockBytesMax = blockBytesByCode[(blockDescriptor >>> 4) & 0b111]
  if (blockBytesMax === undefined)
    throw doesNotInflate('lz4', `block size code ${(blockDescriptor >>> 4) & 7}`)
  const contentSize = (flags & 0b1000) !== 0
  // Magic, FLG, BD, the optional 8-byte content size, then the header checksum byte.
  return {
    blocksStart: position + 7 + (contentSize ? 8 : 0),
    blockBytesMax,
    linked: (flags & 0b10_0000) === 0,
    blockChecksum: (flags & 0b1_0000) !== 0,
    contentChecksum: (flags & 0b100) !== 0,
  }
}

function skipFrame(section: Buffer, position: number): number {
  if (position + 8 > section.length) throw doesNotInflate('lz4', 'truncated skippable frame')
  const next = position + 8 + section.readUInt32LE(position + 4)
  if (next > section.length) throw doesNotInflate('lz4', 'a skippable frame runs past the section')
  return next
}

/**
 * The most the frames can inflate to, read from block headers alone: stored blocks count their
 * size, compressed blocks their frame's maximum block size. Sizes the output buffer, so memory
 * stays within the cap even before decoding finds a lie. Malformed headers give 0 here; the decoder
 * then reports them.
 */
export function lz4OutputBound(section: Buffer): number {
  let bound = 0
  let position = 0
  try {
    while (position + 4 <= section.length) {
      const magic = section.readUInt32LE(position)
      if ((magic & skippableMagicMask) >>> 0 === skippableMagic) {
        position = skipFrame(section, position)
        continue
      }
      if (magic !== frameMagic) return bound
      const layout = readFrameHeader(section, position)
      position = layout.blocksStart
      while (position + 4 <= section.length) {
        const word = section.readUInt32LE(position)
        position += 4
        if (word === 0) break
        const size = word & ~uncompressedBlockBit
        bound += word !== size ? size : layout.blockBytesMax
        position += size + (layout.blockChecksum ? 4 : 0)
      }
      position += layout.contentChecksum ? 4 : 0
    }
  } catch {
    return bound
  }
  return bound
}
