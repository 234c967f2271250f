// Turning a group response into an error answer, for the host's failure paths: an append to
// __consumer_offsets failed (the answer must not claim what was not stored), or a held JoinGroup /
// SyncGroup is let go because its coordinator partition reloads or the broker closes.
import type { ErrorName } from '@weir/protocol'
import { errorOf, type GroupResponse } from './group-output.js'

export type GroupApi = GroupResponse['api']
export type ResponseOf<Api extends GroupApi> = Extract<GroupResponse, { api: Api }>['response']

/** The same response with `code` on it, and on every per-partition, per-member and per-group entry. */
export function withError(answer: GroupResponse, code: ErrorName, detail: string): GroupResponse {
  const error = errorOf(code, detail)
  switch (answer.api) {
    case 'OffsetCommit': {
      const topics = answer.response.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => ({ partition: partition.partition, ...error })),
      }))
      return { ...answer, response: { ...error, topics } }
    }
    case 'LeaveGroup': {
      const members = answer.response.members.map((member) => ({ ...member, ...error }))
      return { ...answer, response: { ...error, members } }
    }
    case 'DeleteGroups': {
      const groups = answer.response.groups.map((group) => ({ groupId: group.groupId, ...error }))
      return { ...answer, response: { ...error, groups } }
    }
    case 'JoinGroup':
      return { ...answer, response: joinGroupError(answer.response.memberId, code, detail) }
    case 'SyncGroup':
      return { ...answer, response: syncGroupError(code, detail) }
    case 'ConsumerGroupHeartbeat':
      return { ...answer, response: { ...error, memberId: answer.response.memberId, memberEpoch: -1 } }
    default:
      return { ...answer, response: { ...answer.response, ...error } } as GroupResponse
  }
}

export function joinGroupError(memberId: string, code: ErrorName, detail: string): ResponseOf<'JoinGroup'> {
  return { ...errorOf(code, detail), generationId: -1, leader: '', memberId, members: [] }
}

export function syncGroupError(code: ErrorName, detail: string): ResponseOf<'SyncGroup'> {
  return { ...errorOf(code, detail), assignment: Buffer.alloc(0) }
}

/** The answer for a held request (JoinGroup or SyncGroup) that will not get one from its group. */
export function heldRequestError(api: GroupApi, code: ErrorName, detail: string): unknown {
  if (api === 'JoinGroup') return joinGroupError('', code, detail)
  if (api === 'SyncGroup') return syncGroupError(code, detail)
  if (api === 'ConsumerGroupHeartbeat') return { ...errorOf(code, detail), memberId: '', memberEpoch: -1 }
  return errorOf(code, detail)
}
