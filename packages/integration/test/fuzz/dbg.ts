import { apiByKey, decodeBody } from '@weir/protocol'
import { captureCorpus } from './corpus.js'
import { buildFrame } from './mutations.js'

const corpus = await captureCorpus()
const responses = corpus.responses.map((r) => ({ apiKey: r.apiKey, apiVersion: 0, body: r.body }))
const bytes = buildFrame(
  responses,
  {
    sample: 0,
    mutations: [
      { kind: 'field', path: [0], value: 24 },
      { kind: 'set', at: [0], value: 221 },
    ],
  },
  7,
)
console.log(responses[0]!.apiKey, bytes.length, bytes.subarray(0, 24).toString('hex'))
try {
  const body = decodeBody(bytes.subarray(12), 'x')
  console.log('decoded', typeof body, Array.isArray(body))
  for (const key of [responses[0]!.apiKey, bytes.readUInt16BE(4)]) {
    try {
      apiByKey(key)?.decodeResponse(body)
    } catch (e) {
      console.log(key, e)
    }
  }
} catch (e) {
  console.log(e)
}
