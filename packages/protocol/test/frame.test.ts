// Proves the frame reader reassembles frames from any chunking, rejects bad lengths before buffering, and that frame headers have the documented bytes.
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  encodeRequestFrame,
  encodeResponseFrame,
  FrameReader,
  parseRequestFrame,
  parseResponseFrame,
} from '../src/frame.js'
import { isWeirError } from '../src/weir-error.js'

test('request frame golden bytes', () => {
  const frame = encodeRequestFrame(
    { apiKey: 5, apiVersion: 0, correlationId: 0x01020304 },
    Buffer.from([0x80]),
  )
  assert.equal([...frame], [0, 0, 0, 9, 0, 5, 0, 0, 1, 2, 3, 4, 0x80])
  const { header, body } = parseRequestFrame(frame.subarray(4))
  assert.equal(header, { apiKey: 5, apiVersion: 0, correlationId: 0x01020304 })
  assert.equal([...body], [0x80])
})

test('response frame golden bytes', () => {
  const frame = encodeResponseFrame(0xfffffffe, Buffer.from([0xc0]))
  assert.equal([...frame], [0, 0, 0, 5, 0xff, 0xff, 0xff, 0xfe, 0xc0])
  assert.is(parseResponseFrame(frame.subarray(4)).correlationId, 0xfffffffe)
})

test('frames fed one byte at a time come out whole and in order', () => {
  const frames = [0, 1, 300, 70_000].map((size, index) =>
    encodeRequestFrame({ apiKey: index, apiVersion: 0, correlationId: index }, Buffer.alloc(size, index)),
  )
  const reader = new FrameReader()
  const out: Buffer[] = []
  for (const byte of Buffer.concat(frames)) out.push(...reader.push(Buffer.from([byte])))
  assert.is(out.length, 4)
  out.forEach((payload, index) => {
    assert.ok(payload.equals(frames[index]!.subarray(4)))
  })
  assert.is(reader.bufferedBytes, 0)
})

test('any chunking of a frame stream yields the same frames (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 50 }),
      (bodies, cuts) => {
        const frames = bodies.map((body, index) => encodeResponseFrame(index, body))
        const stream = Buffer.concat(frames)
        const reader = new FrameReader()
        const out: Buffer[] = []
        let at = 0
        for (let index = 0; at < stream.length; index++) {
          const size = cuts[index % cuts.length]!
          out.push(...reader.push(stream.subarray(at, at + size)))
          at += size
        }
        assert.is(out.length, frames.length)
        out.forEach((payload, index) => {
          assert.ok(payload.equals(frames[index]!.subarray(4)))
        })
      },
    ),
  )
})

test('a declared length above the limit is rejected from the 4 length bytes alone', () => {
  const reader = new FrameReader(1024)
  try {
    reader.push(Buffer.from([0, 0, 4, 1]))
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.ok(isWeirError(error, 'MESSAGE_TOO_LARGE'))
    assert.match((error as Error).message, /1025 bytes, more than the limit of 1024/)
  }
})

test('a declared length shorter than a header is rejected', () => {
  const reader = new FrameReader(1024, 8)
  try {
    reader.push(Buffer.from([0, 0, 0, 3, 1, 2, 3]))
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_REQUEST'))
  }
})

test('a frame payload shorter than the request header is INVALID_REQUEST', () => {
  try {
    parseRequestFrame(Buffer.from([0, 1, 0]))
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_REQUEST'))
  }
})

test.run()
