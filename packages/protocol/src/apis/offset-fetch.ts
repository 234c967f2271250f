// OffsetFetch (key 16), v0. A group's committed offsets, for the partitions asked or for all.
//   request  = { groupId, topics: [{ name, partitions: [int] }] | nil }        nil: every committed partition
//   response = { errorCode?, errorMessage?, topics: [{ name, partitions:
//                  [{ partition, offset, metadata, errorCode, errorMessage? }] }] }
// A partition with nothing committed has offset -1 and metadata '' (the consumer then applies its
// reset policy: earliest, latest or a timestamp). Membership is not checked: anyone may read.
import { integer, object, type ResponseError, responseError, string, topicPartitions } from '../schema.js'
import { type ApiDefinition, ApiKeys, type ErrorFields } from './api.js'
import { groupId, type TopicPartitionNumbers, topicPartitionNumbers } from './group-fields.js'
import { errorFields } from './metadata.js'
import { offsetMetadataLengthMax } from './offset-commit.js'

export interface OffsetFetchRequest {
  readonly groupId: string
  /** null: every partition the group has committed. */
  readonly topics: readonly TopicPartitionNumbers[] | null
}

export interface OffsetFetchPartition extends ErrorFields {
  readonly partition: number
  /** -1 when nothing is committed. */
  readonly offset: number
  readonly metadata: string
}

export interface OffsetFetchResponse extends ResponseError {
  readonly topics: readonly { readonly name: string; readonly partitions: readonly OffsetFetchPartition[] }[]
}

export const OffsetFetch: ApiDefinition<OffsetFetchRequest, OffsetFetchResponse> = {
  name: 'OffsetFetch',
  apiKey: ApiKeys.OffsetFetch,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'OffsetFetch'
    const fields = object(body, path)
    return {
      groupId: groupId(fields, 'groupId', path),
      topics:
        fields.topics === undefined || fields.topics === null
          ? null
          : topicPartitionNumbers(fields, 'topics', path),
    }
  },
  decodeResponse(body) {
    const path = 'OffsetFetch'
    const fields = object(body, path)
    return {
      ...responseError(fields, path),
      topics: topicPartitions(fields, path, (partition, entryPath) => ({
        ...errorFields(partition, entryPath),
        partition: integer(partition, 'partition', entryPath),
        offset: integer(partition, 'offset', entryPath, -1),
        metadata: string(partition, 'metadata', entryPath, offsetMetadataLengthMax),
      })),
    }
  },
}
