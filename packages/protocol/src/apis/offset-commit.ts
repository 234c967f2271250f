// OffsetCommit (key 15), v0. Stores a group's consumed positions: `offset` is the next offset the
// group will read (the last processed offset + 1), with an optional application `metadata` string.
//   request  = { groupId, generationId, memberId, groupInstanceId?,
//                topics: [{ name, partitions: [{ partition, offset, metadata? }] }] }
//   response = { errorCode?, errorMessage?, topics: [{ name, partitions: [{ partition, errorCode, errorMessage? }] }] }
// A member commits with its generation and member id (ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID /
// REBALANCE_IN_PROGRESS fence zombies). generationId -1 with memberId '' commits for a group with
// no members (admin tools, consumers that assign partitions themselves).
import {
  integer,
  object,
  optionalString,
  type ResponseError,
  responseError,
  topicPartitions,
} from '../schema.js'
import { type ApiDefinition, ApiKeys, type ErrorFields } from './api.js'
import { groupId, groupInstanceId, memberId, withOptional } from './group-fields.js'
import { errorFields } from './metadata.js'

/** Longest offset `metadata` string the coordinator stores (longer is INVALID_REQUEST per partition). */
export const offsetMetadataLengthMax = 4096

export interface OffsetCommitPartition {
  readonly partition: number
  readonly offset: number
  readonly metadata?: string
}

export interface OffsetCommitRequest {
  readonly groupId: string
  /** -1 (with memberId '') for a commit outside group membership. */
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId?: string
  readonly topics: readonly { readonly name: string; readonly partitions: readonly OffsetCommitPartition[] }[]
}

export interface OffsetCommitPartitionResult extends ErrorFields {
  readonly partition: number
}

export interface OffsetCommitResponse extends ResponseError {
  readonly topics: readonly {
    readonly name: string
    readonly partitions: readonly OffsetCommitPartitionResult[]
  }[]
}

export const OffsetCommit: ApiDefinition<OffsetCommitRequest, OffsetCommitResponse> = {
  name: 'OffsetCommit',
  apiKey: ApiKeys.OffsetCommit,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'OffsetCommit'
    const fields = object(body, path)
    const request = {
      groupId: groupId(fields, 'groupId', path),
      generationId: integer(fields, 'generationId', path, -1, 2_147_483_647),
      memberId: memberId(fields, path),
      topics: topicPartitions(fields, path, (partition, entryPath) =>
        withOptional(
          {
            partition: integer(partition, 'partition', entryPath, 0, 1_000_000),
            offset: integer(partition, 'offset', entryPath),
          },
          'metadata',
          optionalString(partition, 'metadata', entryPath),
        ),
      ),
    }
    return withOptional(request, 'groupInstanceId', groupInstanceId(fields, path))
  },
  decodeResponse(body) {
    const path = 'OffsetCommit'
    const fields = object(body, path)
    return {
      ...responseError(fields, path),
      topics: topicPartitions(fields, path, (partition, entryPath) => ({
        ...errorFields(partition, entryPath),
        partition: integer(partition, 'partition', entryPath),
      })),
    }
  },
}
