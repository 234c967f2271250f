// SaslHandshake (key 40), v0. Picks the SASL mechanism of this connection; the exchange itself
// follows in SaslAuthenticate requests. Served before authentication.
//   request  = { mechanism: str }                       'SCRAM-SHA-256', 'SCRAM-SHA-512' or 'PLAIN'
//   response = { errorCode?, errorMessage?, mechanisms: [str] }  what this listener offers
// UNSUPPORTED_SASL_MECHANISM when the mechanism is not offered (PLAIN is offered over TLS only).
import { array, object, type ResponseError, responseError, string, stringItem } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'

export interface SaslHandshakeRequest {
  readonly mechanism: string
}

export interface SaslHandshakeResponse extends ResponseError {
  readonly mechanisms: readonly string[]
}

/** Mechanism names are short upper-case tokens (RFC 4422: at most 20 characters). */
const mechanismLengthMax = 20

export const SaslHandshake: ApiDefinition<SaslHandshakeRequest, SaslHandshakeResponse> = {
  name: 'SaslHandshake',
  apiKey: ApiKeys.SaslHandshake,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'SaslHandshake')
    return { mechanism: string(fields, 'mechanism', 'SaslHandshake', mechanismLengthMax) }
  },
  decodeResponse(body) {
    const fields = object(body, 'SaslHandshake')
    return {
      ...responseError(fields, 'SaslHandshake'),
      mechanisms: array(fields, 'mechanisms', 'SaslHandshake', stringItem, 16),
    }
  },
}
