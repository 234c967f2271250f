// SaslAuthenticate (key 36), v0-v1 (v2, the first flexible, is not needed). Carries one SASL
// token each way (SCRAM's client-first/server-first/... or PLAIN's single message).
//   request  = auth_bytes BYTES
//   response = error_code INT16, error_message NULLABLE_STRING, auth_bytes BYTES,
//              session_lifetime_ms INT64 (v1+; 0 = no re-authentication required)
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { field } from '../schema.js'

export interface SaslAuthenticateRequest {
  readonly authBytes: Buffer
}

export interface SaslAuthenticateResponse {
  readonly errorCode: number
  readonly errorMessage: string | null
  readonly authBytes: Uint8Array
  readonly sessionLifetimeMs?: number
}

export const saslAuthenticateApi: KafkaApi<SaslAuthenticateRequest, SaslAuthenticateResponse> = {
  name: 'SaslAuthenticate',
  apiKey: KafkaApiKeys.SaslAuthenticate,
  versionMin: 0,
  versionMax: 1,
  request: [field('authBytes', 'bytes', '0+')],
  response: [
    field('errorCode', 'int16', '0+'),
    field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
    field('authBytes', 'bytes', '0+'),
    field('sessionLifetimeMs', 'int64', '1+'),
  ],
}
