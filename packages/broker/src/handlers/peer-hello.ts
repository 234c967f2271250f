// PeerHello: the first request of a broker on the peer listener. The dialer must be another broker
// of --peers. Under mutual TLS its certificate already proved membership, so the connection is
// authenticated now; under a cluster secret the answer carries this broker's proof and the
// connection waits for the dialer's (PeerProof).
import {
  PeerHello,
  type PeerHelloRequest,
  type PeerHelloResponse,
  peerNonceBytes,
  peerProof,
  WeirError,
} from '@weir/protocol'
import { nodeRandomBytes, type PeerSecurity } from '../cluster/peer-security.js'
import type { PeerSession } from '../peer-session.js'
import { defineHandler, type Handler, type HandlerContext } from './handler.js'

export const peerHelloHandler: Handler<PeerHelloRequest, PeerHelloResponse> = defineHandler({
  api: PeerHello,
  async handle(request, context) {
    const { session, security } = peerListenerState(context)
    const { cluster } = context
    if (session.peerId !== undefined) {
      throw new WeirError(
        'CLUSTER_AUTHORIZATION_FAILED',
        `this connection is already authenticated as broker ${session.peerId}`,
      )
    }
    const ids = cluster.peers.map((peer) => peer.id)
    if (request.brokerId === cluster.selfId || !ids.includes(request.brokerId)) {
      context.logger.warn(
        { claimed: request.brokerId },
        'refusing a peer that is not a broker of this cluster',
      )
      throw new WeirError(
        'CLUSTER_AUTHORIZATION_FAILED',
        `broker ${request.brokerId} is not another broker of this cluster (brokers ${ids.join(', ')}); give every broker the same --peers, or admit a new one with \`weir cluster add-broker\``,
      )
    }
    const nonce = (context.environment.randomBytes ?? nodeRandomBytes)(peerNonceBytes)
    if (security.kind === 'tls') {
      session.peerId = request.brokerId
      return { errorCode: 0, brokerId: cluster.selfId, nonce, proof: Buffer.alloc(0) }
    }
    const transcript = {
      dialerId: request.brokerId,
      listenerId: cluster.selfId,
      dialerNonce: request.nonce,
      listenerNonce: nonce,
    }
    session.pending = transcript
    return {
      errorCode: 0,
      brokerId: cluster.selfId,
      nonce,
      proof: peerProof(security.secret, 'listener', transcript),
    }
  },
})

/** The peer session and the cluster's security; only the peer listener of a cluster has both. */
export function peerListenerState(context: HandlerContext): { session: PeerSession; security: PeerSecurity } {
  const session = context.peerSession
  const security = context.cluster.security
  if (session === undefined || security === undefined) {
    // The listener gate refuses handshake APIs on the client listener before they get here.
    throw new WeirError(
      'CLUSTER_AUTHORIZATION_FAILED',
      'peer handshakes are served only on the peer listener',
    )
  }
  return { session, security }
}
