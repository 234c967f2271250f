// SaslAuthenticate (key 41), v0. One step of the SASL exchange chosen by SaslHandshake: opaque
// bytes both ways. SCRAM takes two steps (client-first, then client-final); PLAIN one.
//   request  = { authBytes: bin }
//   response = { errorCode?, errorMessage?, authBytes: bin, sessionLifetimeMs: int }
// sessionLifetimeMs is 0: an authenticated connection stays authenticated until it closes.
// A failed step answers SASL_AUTHENTICATION_FAILED and the broker closes the connection.
import { bytes, object, optionalInteger, type ResponseError, responseError } from '../schema.js'
import { WeirError } from '../weir-error.js'
import { type ApiDefinition, ApiKeys } from './api.js'

export interface SaslAuthenticateRequest {
  readonly authBytes: Buffer
}

export interface SaslAuthenticateResponse extends ResponseError {
  readonly authBytes: Buffer
  /** How long the authentication holds, in ms; 0 means for the life of the connection. */
  readonly sessionLifetimeMs: number
}

/** SCRAM and PLAIN messages are a few hundred bytes; anything near this is not one. */
export const saslAuthBytesMax = 4096

export const SaslAuthenticate: ApiDefinition<SaslAuthenticateRequest, SaslAuthenticateResponse> = {
  name: 'SaslAuthenticate',
  apiKey: ApiKeys.SaslAuthenticate,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'SaslAuthenticate')
    const authBytes = bytes(fields, 'authBytes', 'SaslAuthenticate')
    if (authBytes.length > saslAuthBytesMax) {
      throw new WeirError(
        'INVALID_REQUEST',
        `field SaslAuthenticate.authBytes must be at most ${saslAuthBytesMax} bytes, got ${authBytes.length}`,
      )
    }
    return { authBytes }
  },
  decodeResponse(body) {
    const fields = object(body, 'SaslAuthenticate')
    const authBytes =
      fields.authBytes === undefined ? Buffer.alloc(0) : bytes(fields, 'authBytes', 'SaslAuthenticate')
    return {
      ...responseError(fields, 'SaslAuthenticate'),
      authBytes,
      sessionLifetimeMs: optionalInteger(fields, 'sessionLifetimeMs', 'SaslAuthenticate', 0),
    }
  },
}
