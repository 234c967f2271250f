// Kafka request and response headers, and which header version each API version uses.
//   request header v1 = api_key INT16, api_version INT16, correlation_id INT32, client_id NULLABLE_STRING
//   request header v2 = v1, then TAG_BUFFER (client_id stays an INT16-length string: the header
//                       must parse before the broker knows whether the API version is flexible)
//   response header v0 = correlation_id INT32
//   response header v1 = correlation_id INT32, TAG_BUFFER
// A flexible API version uses request header v2 and response header v1, except ApiVersions, whose
// response header is always v0 so a client can read the answer to a version the broker lacks.
// (Request header v0, without client_id, is only ControlledShutdown v0: no API here uses it.)
import type { AnyKafkaApi } from './api.js'
import { KafkaApiKeys } from './api-keys.js'
import type { KafkaReader } from './reader.js'
import type { KafkaWriter } from './writer.js'

export interface KafkaRequestHeader {
  readonly apiKey: number
  readonly apiVersion: number
  readonly correlationId: number
  readonly clientId: string | null
}

export function isFlexibleVersion(api: AnyKafkaApi, version: number): boolean {
  return api.flexibleFrom !== undefined && version >= api.flexibleFrom
}

export function requestHeaderVersion(api: AnyKafkaApi, version: number): 1 | 2 {
  return isFlexibleVersion(api, version) ? 2 : 1
}

export function responseHeaderVersion(api: AnyKafkaApi, version: number): 0 | 1 {
  if (api.apiKey === KafkaApiKeys.ApiVersions) return 0
  return isFlexibleVersion(api, version) ? 1 : 0
}

/** The part of the header every version shares (v1 fields); the caller skips v2's tags once it knows the API. */
export function readRequestHeaderV1(reader: KafkaReader): KafkaRequestHeader {
  const apiKey = reader.int16()
  const apiVersion = reader.int16()
  const correlationId = reader.int32()
  const clientId = reader.nullableString()
  return { apiKey, apiVersion, correlationId, clientId }
}

export function writeRequestHeader(
  writer: KafkaWriter,
  header: KafkaRequestHeader,
  headerVersion: 1 | 2,
): void {
  writer.int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId)
  writer.nullableString(header.clientId)
  if (headerVersion === 2) writer.emptyTaggedFields()
}

export function writeResponseHeader(writer: KafkaWriter, correlationId: number, headerVersion: 0 | 1): void {
  writer.int32(correlationId)
  if (headerVersion === 1) writer.emptyTaggedFields()
}
