// The cluster-secret handshake between two brokers (PeerHello, PeerProof), as pure functions (no sockets, clocks or
// randomness: nonces are handed in). The dialer sends its id and a nonce (PeerHello); the listener
// answers its id, its nonce and HMAC-SHA256(secret, "listener" transcript); the dialer checks that
// and answers HMAC-SHA256(secret, "dialer" transcript) (PeerProof), which the listener checks.
// The secret never travels. The transcript binds both ids and both nonces, so a proof cannot be
// replayed on another connection (fresh nonces), reflected back to its sender (the role label
// differs) or relayed between other brokers (the ids differ). Checks use timingSafeEqual, so a
// wrong proof takes as long to refuse whatever its bytes.
import { createHmac, timingSafeEqual } from 'node:crypto'

/** Both sides of one handshake, as each side sees it once PeerHello is answered. */
export interface PeerTranscript {
  readonly dialerId: number
  readonly listenerId: number
  readonly dialerNonce: Buffer
  readonly listenerNonce: Buffer
}

export type PeerRole = 'listener' | 'dialer'

/** The fewest bytes a cluster secret may have (after trimming): 256 bits. */
export const clusterSecretBytesMin = 32

// Bumped if the transcript ever changes, so old and new brokers refuse each other plainly.
const domain = 'weir peer authentication v1'

function transcriptBytes(role: PeerRole, transcript: PeerTranscript): Buffer {
  const ids = Buffer.alloc(8)
  ids.writeUInt32BE(transcript.dialerId, 0)
  ids.writeUInt32BE(transcript.listenerId, 4)
  // Fixed-size fields after a length-prefixed label: no two transcripts share an encoding.
  const label = Buffer.from(`${domain}\0${role}`, 'utf8')
  const labelLength = Buffer.alloc(2)
  labelLength.writeUInt16BE(label.length, 0)
  return Buffer.concat([
    labelLength,
    label,
    ids,
    lengthPrefixed(transcript.dialerNonce),
    lengthPrefixed(transcript.listenerNonce),
  ])
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(bytes.length, 0)
  return Buffer.concat([length, bytes])
}

/** What `role` sends to prove it holds `secret` for this handshake. */
export function peerProof(secret: Buffer, role: PeerRole, transcript: PeerTranscript): Buffer {
  return createHmac('sha256', secret).update(transcriptBytes(role, transcript)).digest()
}

/** Whether `proof` is what `role` holding `secret` would send; constant time in the proof's bytes. */
export function isPeerProof(
  secret: Buffer,
  role: PeerRole,
  transcript: PeerTranscript,
  proof: Buffer,
): boolean {
  const expected = peerProof(secret, role, transcript)
  // A wrong length leaks only the length, which the protocol fixes anyway.
  return proof.length === expected.length && timingSafeEqual(proof, expected)
}

/**
 * The secret from the bytes of a secret file or an option: surrounding whitespace trimmed (a file
 * written by `openssl rand -hex 32 >` ends with a newline). Undefined when shorter than
 * clusterSecretBytesMin, for the caller to refuse with its own words.
 */
export function clusterSecretOf(given: Buffer | string): Buffer | undefined {
  // latin1 maps each byte to one character and back, so a binary secret file survives the trim.
  const secret = Buffer.isBuffer(given)
    ? Buffer.from(given.toString('latin1').trim(), 'latin1')
    : Buffer.from(given.trim(), 'utf8')
  return secret.length >= clusterSecretBytesMin ? secret : undefined
}
