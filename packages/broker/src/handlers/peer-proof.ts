// PeerProof: under a cluster secret, the dialer's half of the handshake. Its proof is checked in
// constant time against the transcript PeerHello recorded; either way that transcript is used up,
// so each try needs a new PeerHello and a new nonce of ours. A wrong proof closes the connection
// once its answer is sent (like a failed SASL login), and its warning is rate-limited per address,
// so a stranger cannot turn guesses into log lines.
import {
  isPeerProof,
  PeerProof,
  type PeerProofRequest,
  type PeerProofResponse,
  WeirError,
} from '@weir/protocol'
import { warnLimited } from '../warning-rate-limit.js'
import { defineHandler, type Handler } from './handler.js'
import { peerListenerState } from './peer-hello.js'

export const peerProofHandler: Handler<PeerProofRequest, PeerProofResponse> = defineHandler({
  api: PeerProof,
  async handle(request, context) {
    const { session, security } = peerListenerState(context)
    const pending = session.pending
    session.pending = undefined
    if (security.kind !== 'secret' || pending === undefined || session.peerId !== undefined) {
      throw new WeirError(
        'CLUSTER_AUTHORIZATION_FAILED',
        'PeerProof answers a PeerHello under a cluster secret; send PeerHello first',
      )
    }
    if (!isPeerProof(security.secret, 'dialer', pending, request.proof)) {
      session.failed = true
      const sink = { limiter: context.warnings, clock: context.environment.clock, logger: context.logger }
      warnLimited(
        sink,
        context.clientHost,
        { claimed: pending.dialerId },
        'refusing a peer whose cluster secret differs',
      )
      throw new WeirError(
        'CLUSTER_AUTHORIZATION_FAILED',
        `the proof of broker ${pending.dialerId} does not match this broker's cluster secret; give every broker the same --cluster-secret-file`,
      )
    }
    session.peerId = pending.dialerId
    return { errorCode: 0 }
  },
})
