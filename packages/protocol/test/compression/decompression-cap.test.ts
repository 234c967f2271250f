// Proves every codec stops inflating at uncompressedBytesMax: a bomb (256 MiB of zeros in a small section) is MESSAGE_TOO_LARGE without growing memory by more than a few MiB, a section that fits exactly passes, and neither lz4 decoder (native per block, TypeScript) lets a block exceed its frame's block size.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { compress, decompress } from '../../src/compression/index.js'
import { decodeLz4Frames } from '../../src/compression/lz4-frame.js'
import { zstdBound } from '../../src/compression/zstd-frame-bound.js'
import { isWeirError } from '../../src/index.js'

const mebibyte = 1024 * 1024
const zeros = Buffer.alloc(256 * mebibyte)
const bombs = {
  gzip: compress('gzip', zeros),
  snappy: compress('snappy', zeros.subarray(0, 64 * mebibyte)),
  lz4: compress('lz4', zeros),
  zstd: compress('zstd', zeros),
}

function arrayBufferBytes(): number {
  return process.memoryUsage().arrayBuffers
}

test('a bomb is MESSAGE_TOO_LARGE at the cap for every codec, and inflating stops there', () => {
  for (const [codec, bomb] of Object.entries(bombs) as [keyof typeof bombs, Buffer][]) {
    assert.ok(bomb.length < 16 * mebibyte, `${codec} bomb is ${bomb.length} bytes on the wire`)
    const before = arrayBufferBytes()
    assert.throws(
      () => decompress(codec, bomb, mebibyte),
      (error: unknown) =>
        isWeirError(error, 'MESSAGE_TOO_LARGE') && /inflate past 1048576 bytes/.test(error.message),
      codec,
    )
    const grown = arrayBufferBytes() - before
    assert.ok(grown < 16 * mebibyte, `${codec} stopped at the cap (array buffers grew ${grown} bytes)`)
  }
})

test('a section that inflates to exactly the cap passes; one byte less is refused', () => {
  const section = Buffer.from('{"event":"click","page":"/home"}\n'.repeat(4000))
  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    const compressed = compress(codec, section)
    assert.ok(decompress(codec, compressed, section.length).equals(section), codec)
    assert.throws(
      () => decompress(codec, compressed, section.length - 1),
      (error: unknown) => isWeirError(error, 'MESSAGE_TOO_LARGE'),
      codec,
    )
  }
})

// One 64 KiB-block frame whose single block claims 128 KiB of zeros: a literal, then a long match.
function oversizedLz4Block(): Buffer {
  const matchBytes = 128 * 1024
  let extra = matchBytes - 4 - 15
  const lengthBytes: number[] = []
  while (extra >= 255) {
    lengthBytes.push(255)
    extra -= 255
  }
  lengthBytes.push(extra)
  // Token: 1 literal, match length 15 + extra; the literal 0; offset 1; then a last literal-only sequence.
  const block = Buffer.from([0x1f, 0x00, 0x01, 0x00, ...lengthBytes, 0x10, 0x00])
  const size = Buffer.alloc(4)
  size.writeUInt32LE(block.length)
  return Buffer.concat([Buffer.from('04224d18604082', 'hex'), size, block, Buffer.alloc(4)])
}

test('an lz4 block that inflates past its frame block size is INVALID_RECORD in both decoders', () => {
  const frame = oversizedLz4Block()
  const refused = (error: unknown) =>
    isWeirError(error, 'INVALID_RECORD') && /does not inflate/.test(error.message)
  assert.throws(() => decompress('lz4', frame, 64 * mebibyte), refused, 'native per-block decoder')
  assert.throws(() => decodeLz4Frames(frame, 64 * mebibyte), refused, 'TypeScript decoder')
})

test('the TypeScript lz4 decoder agrees with the native one and stops at the cap', () => {
  const section = Buffer.from('{"orderId":"order-1","status":"paid","total":1250}\n'.repeat(6000))
  const frame = compress('lz4', section)
  assert.ok(decodeLz4Frames(frame, section.length).equals(section))
  assert.throws(
    () => decodeLz4Frames(compress('lz4', zeros.subarray(0, 32 * mebibyte)), mebibyte),
    (error: unknown) => isWeirError(error, 'MESSAGE_TOO_LARGE'),
  )
})

test('a small section does not keep its upper bound alive: lz4 output is copied out of the 64 KiB block buffer', () => {
  const section = Buffer.from('{"orderId":"order-1","status":"paid"}')
  for (const codec of ['lz4', 'zstd', 'snappy', 'gzip'] as const) {
    const restored = decompress(codec, compress(codec, section), mebibyte)
    assert.ok(restored.equals(section), codec)
    assert.ok(restored.buffer.byteLength < 64 * 1024, `${codec} holds ${restored.buffer.byteLength} bytes`)
  }
})

test('the zstd bound from block headers covers what a frame inflates to', () => {
  const section = Buffer.from('{"orderId":"order-1","status":"paid","total":1250}\n'.repeat(20_000))
  const bound = zstdBound(compress('zstd', section))
  assert.ok(bound.outputBytesMax >= section.length, `${bound.outputBytesMax} >= ${section.length}`)
  assert.ok(bound.outputBytesMax < section.length + 128 * 1024, 'within one block of the real size')
  assert.ok(zstdBound(bombs.zstd).outputBytesMax >= zeros.length)
})

test.run()
