// The dialer's side of peer authentication, run on every new connection to a peer before any
// other request: PeerHello, then (under a cluster secret) check the listener's proof and send ours.
// A listener that does not prove the secret is refused before this broker says anything more, so a
// fake listener learns neither Raft traffic nor a proof it could use elsewhere (the transcript
// binds its nonce and both ids).
import { type Connection, PeerHello, PeerProof, peerNonceBytes, WeirError } from '@weir/protocol'
import { isPeerProof, peerProof } from './peer-authentication.js'
import type { PeerSecurity } from './peer-security.js'
import type { Peer } from './peers.js'

export interface PeerHandshake {
  readonly selfId: number
  readonly security: PeerSecurity
  readonly randomBytes: (size: number) => Buffer
}

/** Resolves once `connection` to `peer` is authenticated both ways. Errors: CLUSTER_AUTHORIZATION_FAILED, the requests' own. */
export async function authenticatePeer(
  connection: Connection,
  peer: Peer,
  handshake: PeerHandshake,
): Promise<void> {
  const { selfId, security } = handshake
  const address = `${peer.host}:${peer.peerPort}`
  const nonce = handshake.randomBytes(peerNonceBytes)
  const hello = await connection.request(PeerHello, { brokerId: selfId, nonce })
  if (hello.brokerId !== peer.id) {
    throw new WeirError(
      'CLUSTER_AUTHORIZATION_FAILED',
      `${address} answered as broker ${hello.brokerId}, not broker ${peer.id}; check --peers on both`,
    )
  }
  // Under mutual TLS the handshake of the socket itself proved the listener's certificate.
  if (security.kind === 'tls') return
  const transcript = { dialerId: selfId, listenerId: peer.id, dialerNonce: nonce, listenerNonce: hello.nonce }
  if (!isPeerProof(security.secret, 'listener', transcript, hello.proof)) {
    throw new WeirError(
      'CLUSTER_AUTHORIZATION_FAILED',
      `broker ${peer.id} at ${address} did not prove it holds this cluster's secret; give every broker the same --cluster-secret-file`,
    )
  }
  await connection.request(PeerProof, { proof: peerProof(security.secret, 'dialer', transcript) })
}
