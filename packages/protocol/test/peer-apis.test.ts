// Proves the broker-to-broker APIs (RaftMessages, ControllerPropose, PeerHello, PeerProof) survive encode → decode and
// refuse wrong shapes with INVALID_REQUEST naming the field.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ApiKeys, ControllerPropose, PeerHello, PeerProof, RaftMessages } from '../src/index.js'
import { rejects, roundTrip } from './api-test-support.js'

test('RaftMessages carries many groups and leader news in one request', () => {
  const message = { type: 'heartbeat', from: 1, to: 2, term: 3, commit: 41 }
  roundTrip(
    RaftMessages,
    {
      from: 1,
      messages: [
        { group: 'orders/0', incarnation: 'c0ffee', message },
        { group: '__cluster_metadata/0', incarnation: '', message: { ...message, commit: 7 } },
      ],
      leaders: [
        { group: 'orders/0', incarnation: 'c0ffee', leaderId: 1, term: 3, isr: [1, 2] },
        { group: '__cluster_metadata/0', incarnation: '', leaderId: 2, term: 9 },
      ],
    },
    { errorCode: 0 },
  )
  assert.is(RaftMessages.apiKey, ApiKeys.RaftMessages)
  rejects(
    () =>
      RaftMessages.decodeRequest({
        from: 1,
        messages: [{ group: 7, incarnation: '', message }],
        leaders: [],
      }),
    /group/,
  )
  rejects(
    () => RaftMessages.decodeRequest({ from: 1, messages: [{ group: 'a/0', message }], leaders: [] }),
    /incarnation/,
  )
  rejects(
    () =>
      RaftMessages.decodeRequest({
        from: 1,
        messages: [{ group: 'a/0', incarnation: '', message: [] }],
        leaders: [],
      }),
    /message/,
  )
  rejects(
    () =>
      RaftMessages.decodeRequest({
        from: 1,
        messages: [],
        leaders: [{ group: 'a/0', incarnation: '', term: 1 }],
      }),
    /leaderId/,
  )
})

test('ControllerPropose carries one record and names the leader in its answer', () => {
  roundTrip(
    ControllerPropose,
    { record: Buffer.from([0x81, 0xa1, 0x61, 0x01]) },
    { errorCode: 0, leaderId: 2 },
  )
  roundTrip(
    ControllerPropose,
    { record: Buffer.from([1]) },
    { errorCode: 6, errorMessage: 'moved', leaderId: 0 },
  )
  rejects(() => ControllerPropose.decodeRequest({ record: 'text' }), /record/)
})

test('PeerHello and PeerProof carry fixed-size nonces and proofs, and refuse other sizes', () => {
  const nonce = Buffer.alloc(32, 7)
  const proof = Buffer.alloc(32, 9)
  roundTrip(PeerHello, { brokerId: 2, nonce }, { errorCode: 0, brokerId: 1, nonce, proof })
  roundTrip(PeerHello, { brokerId: 2, nonce }, { errorCode: 0, brokerId: 1, nonce, proof: Buffer.alloc(0) })
  roundTrip(PeerProof, { proof }, { errorCode: 0 })
  assert.is(PeerHello.apiKey, 32)
  assert.is(PeerProof.apiKey, 33)
  rejects(() => PeerHello.decodeRequest({ brokerId: 2, nonce: Buffer.alloc(31) }), /nonce must be 32 bytes/)
  rejects(() => PeerHello.decodeRequest({ brokerId: 0, nonce }), /brokerId/)
  rejects(() => PeerProof.decodeRequest({ proof: Buffer.alloc(0) }), /proof must be 32 bytes/)
  rejects(
    () => PeerHello.decodeResponse({ brokerId: 1, nonce, proof: Buffer.alloc(5) }),
    /proof must be 0 or 32 bytes/,
  )
  // A refusal carries no nonce: the error is what the dialer reports.
  assert.equal(PeerHello.decodeResponse({ errorCode: 41, errorMessage: 'no' }), {
    errorCode: 41,
    errorMessage: 'no',
    brokerId: 0,
    nonce: Buffer.alloc(0),
    proof: Buffer.alloc(0),
  })
})

test.run()
