// Proves that whatever a damaged or crafted section holds (random byte changes, cuts and insertions into valid sections of every codec), decompress either returns at most the cap or throws a typed WeirError (INVALID_RECORD or MESSAGE_TOO_LARGE): never a raw library error, never more than the cap.
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { compress, decompress } from '../../src/compression/index.js'
import { isWeirError } from '../../src/index.js'

const capBytes = 256 * 1024
const text = Buffer.from(
  '{"orderId":"order-1","status":"paid","lines":[{"sku":"SKU-1","quantity":2}]}\n'.repeat(1500),
)
const codecs = ['gzip', 'snappy', 'lz4', 'zstd'] as const
const valid = Object.fromEntries(codecs.map((codec) => [codec, compress(codec, text)])) as Record<
  (typeof codecs)[number],
  Buffer
>

const edit = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
)

type Edit = typeof edit extends fc.Arbitrary<infer Value> ? Value : never

function applyEdits(section: Buffer, edits: readonly Edit[]): Buffer {
  let bytes: Buffer = Buffer.from(section)
  for (const change of edits) {
    const at = change.at % Math.max(1, bytes.length)
    if (change.kind === 'flip') bytes[at] = change.value
    else if (change.kind === 'cut') bytes = bytes.subarray(0, at)
    else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(change.bytes), bytes.subarray(at)])
  }
  return bytes
}

test('damaged sections of every codec give at most the cap or a typed error', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...codecs),
      fc.array(edit, { minLength: 1, maxLength: 4 }),
      (codec, edits) => {
        const damaged = applyEdits(valid[codec], edits)
        try {
          const output = decompress(codec, damaged, capBytes)
          assert.ok(output.length <= capBytes, `${codec} returned ${output.length} bytes`)
        } catch (error) {
          assert.ok(
            isWeirError(error, 'INVALID_RECORD') || isWeirError(error, 'MESSAGE_TOO_LARGE'),
            `${codec}: ${String(error)}`,
          )
        }
      },
    ),
    { numRuns: 400 },
  )
})

test('random bytes are refused with a typed error by every codec', () => {
  fc.assert(
    fc.property(fc.constantFrom(...codecs), fc.uint8Array({ maxLength: 2000 }), (codec, bytes) => {
      try {
        assert.ok(decompress(codec, Buffer.from(bytes), capBytes).length <= capBytes)
      } catch (error) {
        assert.ok(
          isWeirError(error, 'INVALID_RECORD') || isWeirError(error, 'MESSAGE_TOO_LARGE'),
          String(error),
        )
      }
    }),
    { numRuns: 400 },
  )
})

test.run()
