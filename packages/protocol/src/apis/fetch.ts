// Fetch (key 5), v0 and v1. Long poll: the broker answers once `minBytes` are available over all
// partitions asked for, or `maxWaitMs` passed, whichever is first. Each partition's `records` are
// whole batches copied from the segment files as stored (never decoded or re-encoded by the
// broker); at least one batch is returned even when it is larger than the partition's maxBytes,
// so a consumer always makes progress.
//   request  = { maxWaitMs, minBytes, maxBytes, topics: [{ name, partitions: [{ partition, fetchOffset, maxBytes }] }] }
//   response = { errorCode?, errorMessage?, topics: [{ name, partitions:
//                  [{ partition, errorCode, errorMessage?, highWatermark, logStartOffset, records: bin }] }] }
// A fetch at exactly the log end returns empty `records` (and waits, per maxWaitMs/minBytes).
// v1: the same fields, but the response is a segmented body (segmented-body.ts): each partition's
// `records` travels as a raw trailing segment, so the broker writes the bytes it read from the log
// without copying them into msgpack and the client takes views of the frame.
import { bytes, integer, object, type ResponseError, responseError, topicPartitions } from '../schema.js'
import { type ApiDefinition, ApiKeys, type ErrorFields } from './api.js'
import { errorFields } from './metadata.js'

export interface FetchPartition {
  readonly partition: number
  readonly fetchOffset: number
  readonly maxBytes: number
}

export interface FetchTopic {
  readonly name: string
  readonly partitions: readonly FetchPartition[]
}

export interface FetchRequest {
  readonly maxWaitMs: number
  readonly minBytes: number
  /** Total over all partitions (a partition's first batch may still exceed it). */
  readonly maxBytes: number
  readonly topics: readonly FetchTopic[]
}

export interface FetchPartitionResult extends ErrorFields {
  readonly partition: number
  readonly highWatermark: number
  readonly logStartOffset: number
  readonly records: Buffer
}

export interface FetchResponse extends ResponseError {
  readonly topics: readonly { readonly name: string; readonly partitions: readonly FetchPartitionResult[] }[]
}

const int32Max = 2_147_483_647

export const Fetch: ApiDefinition<FetchRequest, FetchResponse> = {
  name: 'Fetch',
  apiKey: ApiKeys.Fetch,
  versionMin: 0,
  versionMax: 1,
  segmentedSince: { response: 1 },
  decodeRequest(body) {
    const fields = object(body, 'Fetch')
    return {
      maxWaitMs: integer(fields, 'maxWaitMs', 'Fetch', 0, int32Max),
      minBytes: integer(fields, 'minBytes', 'Fetch', 0, int32Max),
      maxBytes: integer(fields, 'maxBytes', 'Fetch', 1, int32Max),
      topics: topicPartitions(fields, 'Fetch', (partition, entryPath) => ({
        partition: integer(partition, 'partition', entryPath, 0, 1_000_000),
        fetchOffset: integer(partition, 'fetchOffset', entryPath),
        maxBytes: integer(partition, 'maxBytes', entryPath, 1, int32Max),
      })),
    }
  },
  decodeResponse(body) {
    const fields = object(body, 'Fetch')
    return {
      ...responseError(fields, 'Fetch'),
      topics: topicPartitions(fields, 'Fetch', (partition, entryPath) => ({
        ...errorFields(partition, entryPath),
        partition: integer(partition, 'partition', entryPath),
        highWatermark: integer(partition, 'highWatermark', entryPath, -1),
        logStartOffset: integer(partition, 'logStartOffset', entryPath, -1),
        records: bytes(partition, 'records', entryPath),
      })),
    }
  },
}
