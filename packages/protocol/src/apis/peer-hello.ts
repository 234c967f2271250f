// PeerHello (key 32), v0: broker to broker, the first request on a peer connection. The dialer
// names itself and sends a fresh nonce; the listener answers with its own id, its own nonce and,
// under a shared cluster secret, a proof that it knows the secret (HMAC over both nonces and both
// ids, see peer-authentication.ts). Under mutual TLS the certificates already proved
// membership and `proof` is empty. Nothing else is served on a peer connection before PeerHello
// (and, with a secret, PeerProof) succeeded.
//   request  = { brokerId: int, nonce: bin }
//   response = { errorCode?, errorMessage?, brokerId: int, nonce: bin, proof: bin }
import { integer, object, type ResponseError, responseError, sizedBytes } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'

export interface PeerHelloRequest {
  /** The dialer's broker id, as in --peers. */
  readonly brokerId: number
  readonly nonce: Buffer
}

export interface PeerHelloResponse extends ResponseError {
  /** The listener's broker id; 0 with an error. */
  readonly brokerId: number
  readonly nonce: Buffer
  /** HMAC proof of the listener under a cluster secret; empty under mutual TLS or with an error. */
  readonly proof: Buffer
}

/** Bytes of a handshake nonce: 256 bits, so a nonce never repeats across the cluster's life. */
export const peerNonceBytes = 32
/** Bytes of a handshake proof: one HMAC-SHA256. */
export const peerProofBytes = 32

export const PeerHello: ApiDefinition<PeerHelloRequest, PeerHelloResponse> = {
  name: 'PeerHello',
  apiKey: ApiKeys.PeerHello,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'PeerHello'
    const fields = object(body, path)
    return {
      brokerId: integer(fields, 'brokerId', path, 1, 2 ** 31 - 1),
      nonce: sizedBytes(fields, 'nonce', path, [peerNonceBytes]),
    }
  },
  decodeResponse(body) {
    const path = 'PeerHello'
    const fields = object(body, path)
    const error = responseError(fields, path)
    if (error.errorCode !== 0)
      return { ...error, brokerId: 0, nonce: Buffer.alloc(0), proof: Buffer.alloc(0) }
    return {
      ...error,
      brokerId: integer(fields, 'brokerId', path, 1, 2 ** 31 - 1),
      nonce: sizedBytes(fields, 'nonce', path, [peerNonceBytes]),
      proof: sizedBytes(fields, 'proof', path, [0, peerProofBytes]),
    }
  },
}
