// The Kafka listener's codec entry points: one request frame in (after the u32 size, which the
// shared FrameReader strips and bounds), one response frame out (with its u32 size).
//
// Decoding answers three ways so the listener always has something to say: a known API at a
// version we speak gives the typed request; an unknown key or version gives the header alone
// (ApiVersions then gets unsupportedApiVersionsResponse; others are closed with a logged reason,
// as Kafka does, since their response layout at that version is unknown); bytes that do not parse
// throw INVALID_REQUEST.
import { WeirError } from '../weir-error.js'
import type { AnyKafkaApi, KafkaApi } from './api.js'
import { KafkaApiKeys } from './api-keys.js'
import { type ApiVersionRange, apiVersionsApi } from './apis/api-versions.js'
import { createPartitionsApi } from './apis/create-partitions.js'
import { createTopicsApi } from './apis/create-topics.js'
import { deleteGroupsApi } from './apis/delete-groups.js'
import { deleteTopicsApi } from './apis/delete-topics.js'
import { describeConfigsApi } from './apis/describe-configs.js'
import { describeGroupsApi } from './apis/describe-groups.js'
import { fetchApi } from './apis/fetch.js'
import { findCoordinatorApi } from './apis/find-coordinator.js'
import { heartbeatApi } from './apis/heartbeat.js'
import { initProducerIdApi } from './apis/init-producer-id.js'
import { joinGroupApi } from './apis/join-group.js'
import { leaveGroupApi } from './apis/leave-group.js'
import { listGroupsApi } from './apis/list-groups.js'
import { listOffsetsApi } from './apis/list-offsets.js'
import { metadataApi } from './apis/metadata.js'
import { offsetCommitApi } from './apis/offset-commit.js'
import { offsetFetchApi } from './apis/offset-fetch.js'
import { produceApi } from './apis/produce.js'
import { saslAuthenticateApi } from './apis/sasl-authenticate.js'
import { saslHandshakeApi } from './apis/sasl-handshake.js'
import { syncGroupApi } from './apis/sync-group.js'
import { KafkaErrorCodes } from './error-codes.js'
import {
  type KafkaRequestHeader,
  readRequestHeaderV1,
  requestHeaderVersion,
  responseHeaderVersion,
  writeRequestHeader,
  writeResponseHeader,
} from './header.js'
import { KafkaReader } from './reader.js'
import { decodeMessage, encodeMessage, type Struct } from './schema.js'
import { KafkaWriter } from './writer.js'

/** Every API the codec speaks, in key order. ApiVersions advertises exactly these ranges. */
export const kafkaApis: readonly AnyKafkaApi[] = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  offsetCommitApi,
  offsetFetchApi,
  findCoordinatorApi,
  joinGroupApi,
  heartbeatApi,
  leaveGroupApi,
  syncGroupApi,
  describeGroupsApi,
  listGroupsApi,
  saslHandshakeApi,
  apiVersionsApi,
  createTopicsApi,
  deleteTopicsApi,
  initProducerIdApi,
  describeConfigsApi,
  saslAuthenticateApi,
  createPartitionsApi,
  deleteGroupsApi,
]

const apisByKey = new Map<number, AnyKafkaApi>(kafkaApis.map((api) => [api.apiKey, api]))

export function kafkaApiFor(apiKey: number): AnyKafkaApi | undefined {
  return apisByKey.get(apiKey)
}

/** The ApiVersions answer's list: exactly what the codec implements, so clients pick versions we decode. */
export function advertisedApiVersions(apis: readonly AnyKafkaApi[] = kafkaApis): ApiVersionRange[] {
  return apis.map((api) => ({ apiKey: api.apiKey, minVersion: api.versionMin, maxVersion: api.versionMax }))
}

export type DecodedKafkaRequest =
  | {
      readonly kind: 'request'
      readonly header: KafkaRequestHeader
      readonly api: AnyKafkaApi
      readonly body: Struct
    }
  | { readonly kind: 'unknown-api' | 'unsupported-version'; readonly header: KafkaRequestHeader }

/**
 * Parses one request frame (the bytes after the u32 size). The whole frame must be consumed:
 * bytes left over mean the client and we disagree on the layout, which is INVALID_REQUEST rather
 * than a guess. Use `requestOf(decoded, api)` to get the typed request.
 */
export function decodeKafkaRequest(frame: Buffer): DecodedKafkaRequest {
  const reader = new KafkaReader(frame)
  const header = readRequestHeaderV1(reader)
  const api = apisByKey.get(header.apiKey)
  if (api === undefined) return { kind: 'unknown-api', header }
  if (header.apiVersion < api.versionMin || header.apiVersion > api.versionMax) {
    return { kind: 'unsupported-version', header }
  }
  if (requestHeaderVersion(api, header.apiVersion) === 2) reader.skipTaggedFields()
  const body = decodeMessage(
    { fields: api.request, flexibleFrom: api.flexibleFrom },
    header.apiVersion,
    reader,
  )
  if (reader.remaining !== 0) {
    throw new WeirError(
      'INVALID_REQUEST',
      `Kafka ${api.name} v${header.apiVersion} request has ${reader.remaining} bytes after its last field`,
    )
  }
  return { kind: 'request', header, api, body }
}

/** The typed request of a decoded frame, when it is `api`'s; undefined for another API. */
export function requestOf<Request>(
  decoded: DecodedKafkaRequest,
  api: KafkaApi<Request, unknown>,
): Request | undefined {
  if (decoded.kind !== 'request' || decoded.api !== api) return undefined
  return decoded.body as Request
}

/** One response frame: u32 size, the header of the version's kind, then the body. */
export function encodeKafkaResponse<Response extends object>(
  api: KafkaApi<unknown, Response>,
  version: number,
  correlationId: number,
  response: Response,
): Buffer {
  const parts = encodeKafkaResponseParts(api, version, correlationId, response)
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
}

/**
 * The same frame as pieces for one writev: byte fields of at least kafkaViewBytesMin (a Fetch
 * answer's records) are the caller's buffers, not copies; keep them unchanged until written.
 */
export function encodeKafkaResponseParts<Response extends object>(
  api: KafkaApi<unknown, Response>,
  version: number,
  correlationId: number,
  response: Response,
): Buffer[] {
  if (version < api.versionMin || version > api.versionMax) {
    throw new RangeError(`${api.name} has no version ${version} (${api.versionMin}-${api.versionMax})`)
  }
  const writer = new KafkaWriter()
  writer.int32(0)
  writeResponseHeader(writer, correlationId, responseHeaderVersion(api, version))
  encodeMessage({ fields: api.response, flexibleFrom: api.flexibleFrom }, version, response, writer)
  const parts = writer.finishParts()
  const size = parts.reduce((total, part) => total + part.length, 0) - 4
  parts[0]!.writeInt32BE(size, 0)
  return parts
}

/**
 * The answer to an ApiVersions request at a version above ours: a v0 body (any client can read
 * it) with UNSUPPORTED_VERSION and our ApiVersions range, so the client retries at a version we speak.
 */
export function unsupportedApiVersionsResponse(correlationId: number): Buffer {
  return encodeKafkaResponse(apiVersionsApi, 0, correlationId, {
    errorCode: KafkaErrorCodes.UNSUPPORTED_VERSION.code,
    apiKeys: [
      {
        apiKey: KafkaApiKeys.ApiVersions,
        minVersion: apiVersionsApi.versionMin,
        maxVersion: apiVersionsApi.versionMax,
      },
    ],
  })
}

/**
 * One request frame as a client sends it (u32 size, header, body). The broker never sends
 * requests; tests and tools use this to build the bytes a Kafka client would.
 */
export function encodeKafkaRequest<Request extends object>(
  api: KafkaApi<Request, unknown>,
  header: Omit<KafkaRequestHeader, 'apiKey'>,
  request: Request,
): Buffer {
  const writer = new KafkaWriter()
  writer.int32(0)
  writeRequestHeader(writer, { ...header, apiKey: api.apiKey }, requestHeaderVersion(api, header.apiVersion))
  encodeMessage({ fields: api.request, flexibleFrom: api.flexibleFrom }, header.apiVersion, request, writer)
  const frame = writer.finish()
  frame.writeInt32BE(frame.length - 4, 0)
  return frame
}

/** Reads a response frame body (after the u32 size) as a client would: header, then body. */
export function decodeKafkaResponse<Response>(
  api: KafkaApi<unknown, Response>,
  version: number,
  frame: Buffer,
): { correlationId: number; response: Response } {
  const reader = new KafkaReader(frame)
  const correlationId = reader.int32()
  if (responseHeaderVersion(api, version) === 1) reader.skipTaggedFields()
  const response = decodeMessage({ fields: api.response, flexibleFrom: api.flexibleFrom }, version, reader)
  if (reader.remaining !== 0) {
    throw new WeirError(
      'INVALID_REQUEST',
      `Kafka ${api.name} v${version} response has ${reader.remaining} bytes after its last field`,
    )
  }
  return { correlationId, response: response as Response }
}
