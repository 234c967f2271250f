// Proves every decoder only ever throws a typed WeirError on mutated bytes: the frame reader (fed in random chunks), request and response headers, every API's decodeRequest and decodeResponse, msgpack bodies, record batches (inspect, validate, split, decode, past a fixed-up CRC), varints and consumer-protocol metadata.
import {
  apiByKey,
  ByteReader,
  decodeBody,
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  decodeRecordBatch,
  FrameReader,
  inspectBatch,
  isWeirError,
  parseRequestFrame,
  parseResponseFrame,
  splitBatches,
  validateBatch,
} from '@weir/protocol'
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Corpus, captureCorpus } from './corpus.js'
import {
  buildFrame,
  fieldPaths,
  hostileValues,
  mutatedFrameArbitrary,
  replaceAt,
  snippets,
} from './mutations.js'

/** Runs per property; WEIR_FUZZ_DECODER_RUNS raises it for a long local run. */
const runs = Number(process.env.WEIR_FUZZ_DECODER_RUNS ?? 4000)

let corpus: Corpus

test.before(async () => {
  corpus = await captureCorpus()
})

/** Calls `decode`; anything thrown that is not a WeirError fails the property, naming the decoder. */
function typedOnly(what: string, decode: () => unknown): unknown {
  try {
    return decode()
  } catch (error) {
    if (isWeirError(error)) return undefined
    if (process.env.WEIR_FUZZ_DEBUG) console.error(what, error)
    throw new Error(`${what} threw ${String(error)} (not a WeirError)`, { cause: error })
  }
}

/** Every bin inside a decoded body (record batches, member metadata, assignments), at most 64. */
function binsIn(value: unknown, found: Buffer[] = [], depth = 0): Buffer[] {
  if (found.length >= 64 || depth > 16) return found
  if (Buffer.isBuffer(value)) found.push(value)
  else if (Array.isArray(value)) for (const item of value) binsIn(item, found, depth + 1)
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) binsIn(item, found, depth + 1)
  return found
}

function decodeEveryBin(body: unknown): void {
  for (const bin of binsIn(body)) {
    typedOnly('inspectBatch', () => inspectBatch(bin, 0, bin.length))
    typedOnly('validateBatch', () => validateBatch(bin))
    typedOnly('splitBatches', () => splitBatches(bin))
    typedOnly('decodeRecordBatch', () => decodeRecordBatch(bin, { uncompressedBytesMax: 1 << 20 }))
    typedOnly('decodeConsumerSubscription', () => decodeConsumerSubscription(bin))
    typedOnly('decodeConsumerAssignment', () => decodeConsumerAssignment(bin))
    typedOnly('ByteReader', () => {
      const reader = new ByteReader(bin, 0, bin.length)
      while (reader.position < reader.end) reader.nullableBytes()
    })
  }
}

test('the corpus covers every client API and both peer APIs', () => {
  const keys = new Set(corpus.requests.map((request) => request.apiKey))
  for (const key of [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 30, 31]) {
    assert.ok(keys.has(key), `no request with api key ${key} in the corpus`)
  }
  assert.ok(corpus.responses.length >= keys.size)
})

test('requests: frame reader, header, body and decodeRequest throw only WeirErrors', () => {
  fc.assert(
    fc.property(
      mutatedFrameArbitrary(true),
      fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 8 }),
      (frame, cuts) => {
        const bytes = buildFrame(corpus.requests, frame, 7)
        const reader = new FrameReader(1 << 20, 8)
        let position = 0
        const payloads: Buffer[] = []
        typedOnly('FrameReader', () => {
          for (const cut of [...cuts, bytes.length]) {
            payloads.push(...reader.push(bytes.subarray(position, Math.min(bytes.length, position + cut))))
            position = Math.min(bytes.length, position + cut)
          }
          payloads.push(...reader.push(bytes.subarray(position)))
        })
        for (const payload of payloads) {
          const parsed = typedOnly('parseRequestFrame', () => parseRequestFrame(payload)) as
            | ReturnType<typeof parseRequestFrame>
            | undefined
          if (parsed === undefined) continue
          const body = typedOnly('decodeBody', () => decodeBody(parsed.body, 'fuzz'))
          if (body === undefined) continue
          const api = apiByKey(parsed.header.apiKey)
          if (api !== undefined) typedOnly(`${api.name}.decodeRequest`, () => api.decodeRequest(body))
          decodeEveryBin(body)
        }
      },
    ),
    { numRuns: runs },
  )
})

test('responses: header, body and every decodeResponse throw only WeirErrors', () => {
  const responses = corpus.responses.map((response) => ({
    apiKey: response.apiKey,
    apiVersion: 0,
    body: response.body,
  }))
  fc.assert(
    fc.property(mutatedFrameArbitrary(false), (frame) => {
      const bytes = buildFrame(responses, frame, 7)
      // A response frame is length, correlation id, body: reuse the request frame's body bytes.
      const original = responses[frame.sample % responses.length]!
      const payload = bytes.subarray(12)
      typedOnly('parseResponseFrame', () => parseResponseFrame(bytes.subarray(8)))
      const body = typedOnly('decodeBody', () => decodeBody(payload, 'fuzz'))
      if (body === undefined) return
      for (const key of new Set([original.apiKey, bytes.readUInt16BE(4)])) {
        const api = apiByKey(key)
        if (api !== undefined) typedOnly(`${api.name}.decodeResponse`, () => api.decodeResponse(body))
      }
      decodeEveryBin(body)
    }),
    { numRuns: runs },
  )
})

test('every field of every sample, replaced by each hostile value and raw msgpack snippet, decodes or throws a WeirError', () => {
  const samples = [
    ...corpus.requests.map((request) => ({
      apiKey: request.apiKey,
      body: request.body,
      side: 'request' as const,
    })),
    ...corpus.responses.map((response) => ({
      apiKey: response.apiKey,
      body: response.body,
      side: 'response' as const,
    })),
  ]
  let decoded = 0
  for (const sample of samples) {
    const api = apiByKey(sample.apiKey)!
    for (const path of fieldPaths(sample.body)) {
      const replacements = [...hostileValues.map((value) => ({ value })), ...snippets.map((raw) => ({ raw }))]
      for (const replacement of replacements) {
        let body: Buffer
        try {
          body = replaceAt(sample.body, path, replacement)
        } catch {
          continue // not encodable (a bigint past 64 bits): nothing to send
        }
        const value = typedOnly('decodeBody', () => decodeBody(body, 'fuzz'))
        if (value === undefined) continue
        const decoder = sample.side === 'request' ? api.decodeRequest : api.decodeResponse
        typedOnly(
          `${api.name}.${sample.side === 'request' ? 'decodeRequest' : 'decodeResponse'} with ${path.join('.')} replaced`,
          () => decoder(value),
        )
        decodeEveryBin(value)
        decoded++
      }
    }
  }
  assert.ok(decoded > 10_000, `only ${decoded} variants decoded`)
})

test('random bytes in every decoder throw only WeirErrors', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 40 }), (raw, apiKey) => {
      const bytes = Buffer.from(raw)
      typedOnly('FrameReader', () => new FrameReader(1 << 16, 8).push(bytes))
      const body = typedOnly('decodeBody', () => decodeBody(bytes, 'fuzz'))
      const api = apiByKey(apiKey)
      if (api !== undefined && body !== undefined) {
        typedOnly(`${api.name}.decodeRequest`, () => api.decodeRequest(body))
        typedOnly(`${api.name}.decodeResponse`, () => api.decodeResponse(body))
      }
      decodeEveryBin([bytes])
    }),
    { numRuns: runs },
  )
})

test.run()
