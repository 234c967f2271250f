// ApiVersions (key 18), v0-v3; v3 is flexible. The first request of every Kafka client.
//   request  v0-2 = (empty)
//            v3   = client_software_name COMPACT_STRING, client_software_version COMPACT_STRING, TAG_BUFFER
//   response = error_code INT16, [api_key INT16, min_version INT16, max_version INT16],
//              throttle_time_ms INT32 (v1+), TAG_BUFFER (v3)
// The response header is v0 in every version (no tagged fields), so a client that guessed a
// version too new can still read the error. A version above v3 gets a v0 body with
// UNSUPPORTED_VERSION and our ApiVersions range (unsupportedApiVersionsResponse).
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

export interface ApiVersionsRequest {
  readonly clientSoftwareName: string
  readonly clientSoftwareVersion: string
}

export interface ApiVersionRange {
  readonly apiKey: number
  readonly minVersion: number
  readonly maxVersion: number
}

export interface ApiVersionsResponse {
  readonly errorCode: number
  readonly apiKeys: readonly ApiVersionRange[]
  readonly throttleTimeMs?: number
}

export const apiVersionsApi: KafkaApi<ApiVersionsRequest, ApiVersionsResponse> = {
  name: 'ApiVersions',
  apiKey: KafkaApiKeys.ApiVersions,
  versionMin: 0,
  versionMax: 3,
  flexibleFrom: 3,
  request: [field('clientSoftwareName', 'string', '3+'), field('clientSoftwareVersion', 'string', '3+')],
  response: [
    field('errorCode', 'int16', '0+'),
    array('apiKeys', '0+', [
      field('apiKey', 'int16', '0+'),
      field('minVersion', 'int16', '0+'),
      field('maxVersion', 'int16', '0+'),
    ]),
    field('throttleTimeMs', 'int32', '1+'),
  ],
}
