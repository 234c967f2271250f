// Which APIs each listener serves, decided before a request is decoded. The client listener never
// serves broker-to-broker APIs: a RaftMessages or ControllerPropose from anyone who can reach the
// client port would let them rewrite the cluster. The peer listener serves only what brokers send
// each other (Raft traffic, controller proposals, the restore Fetch), and only once the connection
// authenticated; until then ApiVersions and the handshake alone.
import { ApiKeys, type ErrorName } from '@weir/protocol'
import type { PeerSession } from './peer-session.js'

/** APIs only brokers send each other. */
const peerOnlyApis: ReadonlySet<number> = new Set([
  ApiKeys.RaftMessages,
  ApiKeys.ControllerPropose,
  ApiKeys.PeerHello,
  ApiKeys.PeerProof,
  ApiKeys.BrokerHeartbeat,
])

/** Served on a peer connection before it authenticated. */
const handshakeApis: ReadonlySet<number> = new Set([
  ApiKeys.ApiVersions,
  ApiKeys.PeerHello,
  ApiKeys.PeerProof,
])

/** Served on an authenticated peer connection: the peer APIs plus the Fetch a restoring replica sends. */
const peerApis: ReadonlySet<number> = new Set([...peerOnlyApis, ApiKeys.ApiVersions, ApiKeys.Fetch])

export interface ListenerOfRequest {
  readonly listener: 'client' | 'peer'
  /** Present on the peer listener only. */
  readonly peerSession?: PeerSession | undefined
  /** Where clients should go instead, for the peer listener's refusal. */
  readonly clientPort: number
}

export interface Refusal {
  readonly code: ErrorName
  readonly detail: string
}

/** The refusal of API `name` (key `apiKey`) on this listener, or undefined when it is served there. */
export function listenerRefusal(apiKey: number, name: string, where: ListenerOfRequest): Refusal | undefined {
  if (where.listener === 'client') {
    if (!peerOnlyApis.has(apiKey)) return undefined
    return {
      code: 'CLUSTER_AUTHORIZATION_FAILED',
      detail: `${name} is a broker-to-broker API: it is served only on the peer listener (--peer-listen), to brokers that authenticated`,
    }
  }
  if (where.peerSession?.peerId === undefined && !handshakeApis.has(apiKey)) {
    return {
      code: 'CLUSTER_AUTHORIZATION_FAILED',
      detail: `${name} before authentication: a peer connection must first authenticate with PeerHello (and PeerProof under a cluster secret)`,
    }
  }
  if (peerApis.has(apiKey)) return undefined
  return {
    code: 'INVALID_REQUEST',
    detail: `${name} is a client API and this is the peer listener; clients connect to the client port ${where.clientPort}`,
  }
}
