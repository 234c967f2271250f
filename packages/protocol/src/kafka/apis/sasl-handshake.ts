// SaslHandshake (key 17), v1 only. v1 means the SASL tokens follow in SaslAuthenticate requests;
// v0 sent them as raw size-prefixed frames without Kafka framing, which the listener does not
// speak, so v0 is not advertised (KafkaJS, librdkafka and Java pick v1 when SaslAuthenticate is).
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
  versionMin: 1,
  versionMax: 1,
  request: [field('mechanism', 'string', '0+')],
  response: [field('errorCode', 'int16', '0+'), field('mechanisms', { arrayOf: 'string' }, '0+')],
}
