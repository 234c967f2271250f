// Proves Heartbeat's optional maxWaitMs survives encode → decode, is absent when 0 or missing (old clients), and is bounded.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Heartbeat, heartbeatWaitMsMax } from '../src/apis/index.js'
import { decodeBody, encodeBody } from '../src/body-codec.js'

const base = { groupId: 'g', generationId: 3, memberId: 'm1' }
const decode = (request: object) => Heartbeat.decodeRequest(decodeBody(encodeBody(request), 'Heartbeat'))

test('maxWaitMs round trips', () => {
  assert.equal(decode({ ...base, maxWaitMs: 3000 }), { ...base, maxWaitMs: 3000 })
})

test('a request without maxWaitMs (an older client) or with 0 decodes without it: answered at once', () => {
  assert.equal(decode(base), base)
  assert.equal(decode({ ...base, maxWaitMs: 0 }), base)
})

test('maxWaitMs outside 0 to heartbeatWaitMsMax is INVALID_REQUEST naming the field', () => {
  for (const maxWaitMs of [-1, heartbeatWaitMsMax + 1, 1.5])
    assert.throws(() => decode({ ...base, maxWaitMs }), /Heartbeat\.maxWaitMs/)
})

test.run()
