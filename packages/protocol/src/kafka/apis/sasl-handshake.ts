// SaslHandshake (key 17), v0-v1. v1 means the SASL tokens follow in SaslAuthenticate requests.
// v0 sent them as raw size-prefixed frames, which the listener does not speak; v0 stays in the
// range because librdkafka counts SASL as supported only when SaslHandshake v0 is (it then uses
// v1), and the listener answers a v0 request with UNSUPPORTED_VERSION.
//   request  = mechanism STRING
//   response = error_code INT16, mechanisms [STRING]
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { field } from '../schema.js'

export interface SaslHandshakeRequest {
  readonly mechanism: string
}

export interface SaslHandshakeResponse {
  readonly errorCode: number
  readonly mechanisms: readonly string[]
}

export const saslHandshakeApi: KafkaApi<SaslHandshakeRequest, SaslHandshakeResponse> = {
  name: 'SaslHandshake',
  apiKey: KafkaApiKeys.SaslHandshake,
  versionMin: 0,
  versionMax: 1,
  request: [field('mechanism', 'string', '0+')],
  response: [field('errorCode', 'int16', '0+'), field('mechanisms', { arrayOf: 'string' }, '0+')],
}
