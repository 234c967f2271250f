// ListOffsets (key 6), v0. Finds an offset per partition: the log start, the log end (the next
// offset to be written), or the first offset whose batch holds a record at or after a timestamp.
//   request  = { topics: [{ name, partitions: [{ partition, timestamp }] }] }
//              timestamp: -2 earliest, -1 latest, otherwise ms since the epoch
//   response = { errorCode?, errorMessage?, topics: [{ name, partitions:
//                  [{ partition, errorCode, errorMessage?, offset, timestamp }] }] }
// By timestamp, when no record is that new, the answer is the log end offset with timestamp -1.
import { integer, object, type ResponseError, responseError, topicPartitions } from '../schema.js'
import { type ApiDefinition, ApiKeys, type ErrorFields } from './api.js'
import { errorFields } from './metadata.js'

export const OffsetSpec = { earliest: -2, latest: -1 } as const

export interface ListOffsetsPartition {
  readonly partition: number
  readonly timestamp: number
}

export interface ListOffsetsRequest {
  readonly topics: readonly { readonly name: string; readonly partitions: readonly ListOffsetsPartition[] }[]
}

export interface ListOffsetsPartitionResult extends ErrorFields {
  readonly partition: number
  readonly offset: number
  readonly timestamp: number
}

export interface ListOffsetsResponse extends ResponseError {
  readonly topics: readonly {
    readonly name: string
    readonly partitions: readonly ListOffsetsPartitionResult[]
  }[]
}

export const ListOffsets: ApiDefinition<ListOffsetsRequest, ListOffsetsResponse> = {
  name: 'ListOffsets',
  apiKey: ApiKeys.ListOffsets,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'ListOffsets')
    return {
      topics: topicPartitions(fields, 'ListOffsets', (partition, entryPath) => ({
        partition: integer(partition, 'partition', entryPath, 0, 1_000_000),
        timestamp: integer(partition, 'timestamp', entryPath, -2),
      })),
    }
  },
  decodeResponse(body) {
    const fields = object(body, 'ListOffsets')
    return {
      ...responseError(fields, 'ListOffsets'),
      topics: topicPartitions(fields, 'ListOffsets', (partition, entryPath) => ({
        ...errorFields(partition, entryPath),
        partition: integer(partition, 'partition', entryPath),
        offset: integer(partition, 'offset', entryPath, -1),
        timestamp: integer(partition, 'timestamp', entryPath, -1, Number.MAX_SAFE_INTEGER),
      })),
    }
  },
}
