// PeerProof (key 33), v0: broker to broker, the second request of a peer connection under a shared
// cluster secret. After checking the listener's proof from PeerHello, the dialer sends its own
// (HMAC over the same transcript with the dialer's label), and the listener checks it in constant
// time. Under mutual TLS it is not sent. A wrong proof is CLUSTER_AUTHORIZATION_FAILED and the
// listener closes the connection.
//   request  = { proof: bin }
//   response = { errorCode?, errorMessage? }
import { object, type ResponseError, responseError, sizedBytes } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'
import { peerProofBytes } from './peer-hello.js'

export interface PeerProofRequest {
  readonly proof: Buffer
}

export type PeerProofResponse = ResponseError

export const PeerProof: ApiDefinition<PeerProofRequest, PeerProofResponse> = {
  name: 'PeerProof',
  apiKey: ApiKeys.PeerProof,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'PeerProof'
    return { proof: sizedBytes(object(body, path), 'proof', path, [peerProofBytes]) }
  },
  decodeResponse(body) {
    const path = 'PeerProof'
    return responseError(object(body, path), path)
  },
}
