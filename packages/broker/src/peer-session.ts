// The state of one connection on the peer listener: which broker it proved to be, and the
// handshake under way. A peer connection starts unauthenticated; PeerHello (and, under a cluster
// secret, PeerProof) authenticates it once, and from then on `peerId` is the broker every request
// on it speaks for.
import type { PeerTranscript, Timers, TransportSocket } from '@weir/protocol'

export interface PeerSession {
  /** The broker this connection proved to be; undefined until authenticated. */
  peerId: number | undefined
  /** Between PeerHello and PeerProof under a cluster secret: what the dialer's proof must cover. */
  pending: PeerTranscript | undefined
  /** Set by a wrong proof: the connection is closed once that answer is sent. */
  failed: boolean
}

export function newPeerSession(): PeerSession {
  return { peerId: undefined, pending: undefined, failed: false }
}

/**
 * Closes `socket` unless `session` authenticated within `timeoutMs`. The deadline counts from
 * accept and no traffic moves it, so trickling bytes cannot keep an unauthenticated connection.
 */
export function closeUnlessAuthenticated(
  socket: TransportSocket,
  session: PeerSession,
  timers: Timers,
  timeoutMs: number,
): void {
  const timer = timers.setTimeout(() => {
    if (session.peerId === undefined) socket.destroy()
  }, timeoutMs)
  timer.unref()
  socket.once('close', () => timers.clear(timer))
}
