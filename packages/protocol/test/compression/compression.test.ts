// Proves compress/decompress round-trip every codec (any bytes, fast-check), read what the reference tools write (lz4 and zstd CLI frames, the snappy spec's literal block, a xerial snappy-java stream) and write what they read, and that corrupted sections are INVALID_RECORD.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { compress, decompress } from '../../src/compression/index.js'
import { isWeirError } from '../../src/index.js'

const fixture = (name: string) => readFileSync(new URL(`../fixtures/compression/${name}`, import.meta.url))
const orders = fixture('orders.jsonl')
const codecs = ['gzip', 'snappy', 'lz4', 'zstd'] as const
const mebibyte = 1024 * 1024

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

test('every codec round-trips any bytes, including empty and incompressible ones', () => {
  const sections = fc.oneof(
    fc.uint8Array({ maxLength: 300_000 }),
    fc
      .array(fc.constantFrom('{"orderId":', '"status":"paid"', '0', '1', ',', '}'), { maxLength: 20_000 })
      .map((parts) => new TextEncoder().encode(parts.join(''))),
  )
  fc.assert(
    fc.property(sections, fc.constantFrom(...codecs), (bytes, codec) => {
      const section = Buffer.from(bytes)
      const restored = decompress(codec, compress(codec, section), section.length)
      assert.ok(restored.equals(section), `${codec} restores ${section.length} bytes`)
    }),
    { numRuns: 60 },
  )
})

test('JSON documents shrink with every codec', () => {
  for (const codec of codecs) {
    const compressed = compress(codec, orders)
    assert.ok(
      compressed.length * 3 < orders.length,
      `${codec}: ${compressed.length} of ${orders.length} bytes`,
    )
  }
})

test('lz4 is an LZ4 frame of 64 KiB independent blocks, the header Kafka writes', () => {
  const frame = compress('lz4', orders)
  assert.is(frame.subarray(0, 7).toString('hex'), '04224d18604082')
  assert.is(frame.readUInt32LE(frame.length - 4), 0, 'ends with the EndMark')
})

test('reads the frames the lz4 CLI writes: independent 256 KiB blocks with content checksum, linked 64 KiB blocks with block checksums and content size', () => {
  assert.ok(decompress('lz4', fixture('orders.jsonl.lz4'), mebibyte).equals(orders))
  assert.ok(decompress('lz4', fixture('orders.jsonl.linked.lz4'), mebibyte).equals(orders))
})

test('reads the frames the zstd CLI writes: level 19 with content size and checksum, streamed without a size', () => {
  assert.ok(decompress('zstd', fixture('orders.jsonl.zst'), mebibyte).equals(orders))
  assert.ok(decompress('zstd', fixture('orders.jsonl.stream.zst'), mebibyte).equals(orders))
  // At the exact cap the bound from block headers exceeds it: the capped decoder gives the same bytes.
  assert.ok(decompress('zstd', fixture('orders.jsonl.stream.zst'), orders.length).equals(orders))
})

test('the lz4 and zstd CLIs read what we write', () => {
  if (!hasTool('lz4') || !hasTool('zstd')) {
    console.log('  (lz4 or zstd CLI missing: apt-get install lz4 zstd to run this test)')
    return
  }
  assert.ok(execFileSync('lz4', ['-d', '-c'], { input: compress('lz4', orders) }).equals(orders))
  assert.ok(execFileSync('zstd', ['-d', '-c'], { input: compress('zstd', orders) }).equals(orders))
})

test('snappy reads the format description literal block, a raw block and a xerial snappy-java stream', () => {
  // Snappy format_description.txt: a varint length, then a literal tag ((length - 1) << 2) and the bytes.
  const literal = Buffer.from('0b2868656c6c6f20776f726c64', 'hex')
  assert.is(decompress('snappy', literal, 100).toString(), 'hello world')
  const raw = compress('snappy', orders)
  assert.is(raw[0], (orders.length & 0x7f) | 0x80, 'raw snappy starts with the varint length')
  // snappy-java's SnappyOutputStream: magic, version 1, compatible version 1, then length-prefixed 32 KiB chunks.
  const header = Buffer.from('82534e41505059000000000100000001', 'hex')
  const chunks: Buffer[] = [header]
  for (let start = 0; start < orders.length; start += 32 * 1024) {
    const block = compress('snappy', orders.subarray(start, start + 32 * 1024))
    const length = Buffer.alloc(4)
    length.writeUInt32BE(block.length)
    chunks.push(length, block)
  }
  assert.ok(decompress('snappy', Buffer.concat(chunks), mebibyte).equals(orders))
})

function refusedAsInvalid(codec: (typeof codecs)[number], section: Buffer, what: string): void {
  assert.throws(
    () => decompress(codec, section, mebibyte),
    (error: unknown) => isWeirError(error, 'INVALID_RECORD') && /does not inflate/.test(error.message),
    `${codec}: ${what}`,
  )
}

test('a section that does not inflate is INVALID_RECORD for every codec', () => {
  for (const codec of codecs) {
    const good = compress(codec, orders)
    refusedAsInvalid(codec, Buffer.from('not compressed at all, just text'), 'plain text')
    refusedAsInvalid(codec, good.subarray(0, good.length >> 1), 'cut in half')
  }
  const lz4 = compress('lz4', orders)
  const badVersion = Buffer.from(lz4)
  badVersion[4] = 0x20
  refusedAsInvalid('lz4', badVersion, 'frame version 0')
  const offsetZero = Buffer.from('04224d18604082' + '03000000' + '1f41000000' + '00000000', 'hex')
  refusedAsInvalid('lz4', offsetZero, 'a match offset of 0')
  const reachBack = Buffer.from('04224d18604082' + '04000000' + '1f410500' + '00000000', 'hex')
  refusedAsInvalid('lz4', reachBack, 'a match before the start of the output')
  const zstd = compress('zstd', orders)
  const reservedBlock = Buffer.from(zstd)
  reservedBlock.writeUIntLE((reservedBlock.readUIntLE(6, 3) & ~0b110) | 0b110, 6, 3)
  refusedAsInvalid('zstd', reservedBlock, 'a block of the reserved type')
  const withDictionary = Buffer.from(fixture('orders.jsonl.stream.zst'))
  withDictionary[4] = withDictionary[4]! | 1
  refusedAsInvalid('zstd', withDictionary, 'a frame that needs a dictionary')
  const xerialCut = Buffer.concat([
    Buffer.from('82534e41505059000000000100000001', 'hex'),
    Buffer.from([0, 0, 1, 0, 1]),
  ])
  refusedAsInvalid('snappy', xerialCut, 'a xerial chunk past the end')
})

test.run()
