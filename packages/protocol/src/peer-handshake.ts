// The dialer's side of peer authentication, run on every new connection to a peer before any
// other request: PeerHello, then (under a cluster secret) check the listener's proof and send ours.
// A listener that does not prove the secret is refused before this side says anything more, so a
// fake listener learns neither Raft traffic nor a proof it could use elsewhere (the transcript
// binds its nonce and both ids).
import { PeerHello, peerNonceBytes } from './apis/peer-hello.js'
import { PeerProof } from './apis/peer-proof.js'
import type { Connection } from './connection.js'
import { isPeerProof, peerProof } from './peer-authentication.js'
import { WeirError } from './weir-error.js'

export interface PeerHandshakeOptions {
  /** This broker's id. */
  readonly selfId: number
  /** The broker expected at the other end, and its address for messages. */
  readonly peerId: number
  readonly address: string
  /** The cluster secret; undefined under mutual TLS, where the socket's handshake proved the peer. */
  readonly secret: Buffer | undefined
  /** A fresh random nonce of peerNonceBytes (cryptographic randomness, injected). */
  readonly nonce: Buffer
}

/**
 * Resolves once `connection` is authenticated both ways. Errors: CLUSTER_AUTHORIZATION_FAILED (the
 * listener is another broker or does not prove the secret, or it refused us), the requests' own.
 */
export async function authenticatePeer(connection: Connection, options: PeerHandshakeOptions): Promise<void> {
  const { selfId, peerId, address, secret, nonce } = options
  if (nonce.length !== peerNonceBytes) throw new Error(`assertion: a peer nonce has ${peerNonceBytes} bytes`)
  const hello = await connection.request(PeerHello, { brokerId: selfId, nonce })
  if (hello.brokerId !== peerId) {
    throw new WeirError(
      'CLUSTER_AUTHORIZATION_FAILED',
      `${address} answered as broker ${hello.brokerId}, not broker ${peerId}; check --peers on both`,
    )
  }
  if (secret === undefined) return
  const transcript = { dialerId: selfId, listenerId: peerId, dialerNonce: nonce, listenerNonce: hello.nonce }
  if (!isPeerProof(secret, 'listener', transcript, hello.proof)) {
    throw new WeirError(
      'CLUSTER_AUTHORIZATION_FAILED',
      `broker ${peerId} at ${address} did not prove it holds this cluster's secret; give every broker the same --cluster-secret-file`,
    )
  }
  await connection.request(PeerProof, { proof: peerProof(secret, 'dialer', transcript) })
}
