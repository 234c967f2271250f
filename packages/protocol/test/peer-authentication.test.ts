// Proves the cluster-secret handshake's pure part: each side's proof verifies only under the same
// secret, role and transcript (ids and both nonces), so a proof cannot be forged without the
// secret, replayed on another handshake, reflected to its sender or relayed between other brokers.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  clusterSecretBytesMin,
  clusterSecretOf,
  isPeerProof,
  type PeerTranscript,
  peerProof,
} from '../src/peer-authentication.js'

const secret = Buffer.from('a'.repeat(64))
const transcript: PeerTranscript = {
  dialerId: 2,
  listenerId: 1,
  dialerNonce: Buffer.alloc(32, 1),
  listenerNonce: Buffer.alloc(32, 2),
}

test('a proof made with the secret verifies for the same role and transcript', () => {
  for (const role of ['listener', 'dialer'] as const) {
    const proof = peerProof(secret, role, transcript)
    assert.is(proof.length, 32)
    assert.ok(isPeerProof(secret, role, transcript, proof))
  }
})

test('another secret, role, id or nonce makes the proof fail', () => {
  const proof = peerProof(secret, 'listener', transcript)
  assert.not.ok(isPeerProof(Buffer.from('b'.repeat(64)), 'listener', transcript, proof), 'other secret')
  assert.not.ok(isPeerProof(secret, 'dialer', transcript, proof), 'reflected to its sender')
  assert.not.ok(isPeerProof(secret, 'listener', { ...transcript, dialerId: 3 }, proof), 'relayed')
  assert.not.ok(isPeerProof(secret, 'listener', { ...transcript, listenerId: 3 }, proof), 'relayed')
  const otherNonce = Buffer.alloc(32, 1)
  otherNonce[31] = 9
  assert.not.ok(
    isPeerProof(secret, 'listener', { ...transcript, dialerNonce: otherNonce }, proof),
    'replayed',
  )
  assert.not.ok(
    isPeerProof(secret, 'listener', { ...transcript, listenerNonce: otherNonce }, proof),
    'replayed',
  )
  assert.not.ok(isPeerProof(secret, 'listener', transcript, proof.subarray(0, 31)), 'truncated')
  assert.not.ok(isPeerProof(secret, 'listener', transcript, Buffer.alloc(32)), 'zeros')
})

test('the transcript encoding keeps nonce boundaries: shifting a byte between them changes the proof', () => {
  const a = { ...transcript, dialerNonce: Buffer.from([1, 2]), listenerNonce: Buffer.from([3]) }
  const b = { ...transcript, dialerNonce: Buffer.from([1]), listenerNonce: Buffer.from([2, 3]) }
  assert.not.ok(isPeerProof(secret, 'dialer', b, peerProof(secret, 'dialer', a)))
})

test('a secret is trimmed and must hold at least 32 bytes', () => {
  assert.is(clusterSecretBytesMin, 32)
  assert.equal(clusterSecretOf(Buffer.from(`${'f'.repeat(64)}\n`)), Buffer.from('f'.repeat(64)))
  assert.equal(clusterSecretOf(`  ${'x'.repeat(32)} `), Buffer.from('x'.repeat(32)))
  assert.is(clusterSecretOf(`${'x'.repeat(31)}\n`), undefined)
  assert.is(clusterSecretOf('   '), undefined)
})

test.run()
