// Kafka's snappy sections come in two shapes: raw snappy (what librdkafka writes) and the xerial
// snappy-java stream (what the Java producer writes: a 16-byte header, then chunks of a 4-byte
// big-endian length and a raw snappy block). Every client reads both, so we write raw (one native
// call) and read either. A raw block starts with its uncompressed length as a varint, so the cap
// is checked exactly before anything is inflated.
import { snappyLibrary } from './native-libraries.js'
import { doesNotInflate, inflatesPast } from './section-errors.js'

const xerialMagic = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const xerialHeaderBytes = 16
/** A 32-bit length takes at most five varint bytes. */
const lengthVarintBytesMax = 5

export function compressSnappy(section: Buffer): Buffer {
  return snappyLibrary().compressSync(section)
}

export function decompressSnappy(section: Buffer, uncompressedBytesMax: number): Buffer {
  if (isXerial(section)) return decompressXerial(section, uncompressedBytesMax)
  const length = declaredLength(section, 0, section.length)
  if (length > uncompressedBytesMax) throw inflatesPast('snappy', uncompressedBytesMax)
  return inflateBlock(section)
}

function isXerial(section: Buffer): boolean {
  return section.length >= xerialHeaderBytes && section.subarray(0, xerialMagic.length).equals(xerialMagic)
}

/** Walks the chunk lengths first: the declared sizes add up to the exact output, checked against the cap. */
function decompressXerial(section: Buffer, uncompressedBytesMax: number): Buffer {
  const chunks: Buffer[] = []
  let total = 0
  let position = xerialHeaderBytes
  while (position < section.length) {
    if (position + 4 > section.length) throw doesNotInflate('snappy', 'a xerial chunk length is cut off')
    const size = section.readUInt32BE(position)
    const end = position + 4 + size
    if (end > section.length)
      throw doesNotInflate('snappy', `a xerial chunk of ${size} bytes runs past the section`)
    const chunk = section.subarray(position + 4, end)
    total += declaredLength(chunk, 0, chunk.length)
    if (total > uncompressedBytesMax) throw inflatesPast('snappy', uncompressedBytesMax)
    chunks.push(chunk)
    position = end
  }
  const output = Buffer.allocUnsafe(total)
  let outputPosition = 0
  for (const chunk of chunks) {
    const inflated = inflateBlock(chunk)
    inflated.copy(output, outputPosition)
    outputPosition += inflated.length
  }
  return output
}

function declaredLength(block: Buffer, start: number, end: number): number {
  let length = 0
  let multiplier = 1
  for (let index = 0; index < lengthVarintBytesMax && start + index < end; index++) {
    const byte = block[start + index]!
    length += (byte & 0x7f) * multiplier
    if (byte < 0x80) return length
    multiplier *= 128
  }
  throw doesNotInflate('snappy', 'the block does not start with a valid length')
}

function inflateBlock(block: Buffer): Buffer {
  const library = snappyLibrary()
  try {
    return library.uncompressSync(block, { asBuffer: true }) as Buffer
  } catch (error) {
    throw doesNotInflate('snappy', (error as Error).message, error)
  }
}
