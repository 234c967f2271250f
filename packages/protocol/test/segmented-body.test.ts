// Proves segmented bodies (Fetch v1 responses, Produce v1 requests) round-trip with record bytes as views of the frame, have the documented bytes, and that every malformed table or reference is INVALID_REQUEST, never a crash or a read past the body.
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Fetch, type FetchResponse } from '../src/apis/fetch.js'
import { Produce, type ProduceRequest } from '../src/apis/produce.js'
import { encodeBody } from '../src/body-codec.js'
import { FrameReader, parseRequestFrame, parseResponseFrame } from '../src/frame.js'
import {
  decodeApiBody,
  encodeApiRequestFrame,
  encodeApiResponseFrame,
  segmentBytesMin,
} from '../src/frame-body.js'
import { decodeSegmentedBody, encodeSegmentedBody, segmentReferenceKey } from '../src/segmented-body.js'
import { isWeirError } from '../src/weir-error.js'

function join(body: { prefix: Buffer; segments: readonly Buffer[] }): Buffer {
  return Buffer.concat([body.prefix, ...body.segments])
}

function rejects(body: Buffer, pattern: RegExp): void {
  try {
    decodeSegmentedBody(body, 'Test')
    assert.unreachable('decoded a malformed body')
  } catch (error) {
    assert.ok(isWeirError(error), String(error))
    assert.is((error as { code: string }).code, 'INVALID_REQUEST')
    assert.match((error as Error).message, pattern)
  }
}

test('golden bytes: the segment table, the msgpack header with a reference, then the segment', () => {
  const encoded = encodeSegmentedBody({ r: Buffer.from([7, 8, 9]) })
  const header = encodeBody({ r: { [segmentReferenceKey]: 0 } })
  assert.equal([...join(encoded)], [0, 0, 0, 1, 0, 0, 0, 3, ...header, 7, 8, 9])
  assert.is(encoded.bytes, 8 + header.length + 3)
})

test('round trip: byte fields come back as views of the body, small ones inline', () => {
  const large = Buffer.alloc(1000, 1)
  const small = Buffer.from('tiny')
  const encoded = encodeSegmentedBody({ a: [{ x: large, y: 1 }, { x: small }], b: 'text', c: undefined }, 100)
  assert.is(encoded.segments.length, 1)
  assert.ok(encoded.segments[0] === large, 'the writer sends the caller buffer itself, no copy')
  const body = join(encoded)
  const decoded = decodeSegmentedBody(body, 'Test') as { a: { x: Buffer; y?: number }[]; b: string }
  assert.equal(decoded.a[0]!.x, large)
  assert.is(decoded.a[0]!.x.buffer, body.buffer, 'a view of the frame, not a copy')
  assert.equal(decoded.a[1]!.x, small)
  assert.is(decoded.b, 'text')
  assert.not.ok('c' in decoded)
})

test('round trip of arbitrary byte fields (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 8 }),
      fc.nat(700),
      (fields, minimum) => {
        const body = { items: fields.map((bytes) => ({ bytes: Buffer.from(bytes) })) }
        const decoded = decodeSegmentedBody(join(encodeSegmentedBody(body, minimum)), 'Test') as typeof body
        assert.equal(
          decoded.items.map((item) => [...item.bytes]),
          fields.map((bytes) => [...bytes]),
        )
      },
    ),
  )
})

test('a table that does not fit, segments longer than the body, or a bad reference are INVALID_REQUEST', () => {
  rejects(Buffer.from([0, 0]), /no segment count/)
  rejects(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), /cannot hold their table/)
  const header = encodeBody({ r: { [segmentReferenceKey]: 0 } })
  // Declares 0xffffffff bytes of segment: more than the body holds.
  rejects(Buffer.concat([Buffer.from([0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]), header]), /more than the body/)
  // A segment that eats the header entirely.
  rejects(Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, header.length]), header]), /more than the body/)
  const missing = encodeBody({ r: { [segmentReferenceKey]: 1 } })
  rejects(Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]), missing, Buffer.from([5])]), /segment 1/)
  const fractional = encodeBody({ r: { [segmentReferenceKey]: 0.5 } })
  rejects(Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]), fractional, Buffer.from([5])]), /segment 0.5/)
  rejects(Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.from([0x92, 0x01])]), /not valid msgpack/)
})

test('random bytes never crash the decoder: a value or INVALID_REQUEST (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        decodeSegmentedBody(Buffer.from(bytes), 'Test')
      } catch (error) {
        assert.ok(isWeirError(error), String(error))
      }
    }),
  )
})

test('Fetch v1 response frame: records travel as segments and decode to the same response as v0', () => {
  const records = Buffer.alloc(4 * segmentBytesMin, 3)
  const response: FetchResponse = {
    topics: [
      {
        name: 't',
        partitions: [
          { partition: 0, errorCode: 0, highWatermark: 9, logStartOffset: 0, records },
          { partition: 1, errorCode: 0, highWatermark: 0, logStartOffset: 0, records: Buffer.alloc(0) },
        ],
      },
    ],
  }
  const api = Fetch as never
  const decoded = [0, 1].map((version) => {
    const parts = encodeApiResponseFrame(api, version, 42, response)
    assert.is(parts.length, version === 0 ? 2 : 3, `version ${version} parts`)
    if (version === 1) assert.ok(parts[2] === records, 'the records buffer is written as it is')
    const [payload] = new FrameReader().push(Buffer.concat(parts))
    const { correlationId, body } = parseResponseFrame(payload!)
    assert.is(correlationId, 42)
    return Fetch.decodeResponse(decodeApiBody(api, 'response', version, body))
  })
  assert.equal(decoded[1], decoded[0])
  assert.equal(decoded[1]!.topics[0]!.partitions[0]!.records, records)
})

test('Produce v1 request frame: the header says version 1 and the broker reads records as segments', () => {
  const records = Buffer.alloc(2 * segmentBytesMin, 9)
  const request: ProduceRequest = {
    acks: -1,
    timeoutMs: 1000,
    topics: [{ name: 't', partitions: [{ partition: 2, records }] }],
  }
  const parts = encodeApiRequestFrame(Produce, { apiKey: 4, apiVersion: 1, correlationId: 5 }, request)
  const [payload] = new FrameReader().push(Buffer.concat(parts))
  const { header, body } = parseRequestFrame(payload!)
  assert.equal(header, { apiKey: 4, apiVersion: 1, correlationId: 5 })
  const decoded = Produce.decodeRequest(decodeApiBody(Produce as never, 'request', 1, body))
  assert.equal(decoded.topics[0]!.partitions[0]!.records, records)
  // A v0 reader of the same body refuses it rather than misreading it.
  assert.throws(() => Produce.decodeRequest(decodeApiBody(Produce as never, 'request', 0, body)))
})

test.run()
