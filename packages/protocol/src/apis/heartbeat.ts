// Heartbeat (key 13), v0. Keeps a member's session alive, and is how a member learns that a
// rebalance started: REBALANCE_IN_PROGRESS means "send JoinGroup again".
//   request  = { groupId, generationId, memberId, groupInstanceId?, maxWaitMs? }
//   response = { errorCode?, errorMessage? }
// Errors: UNKNOWN_MEMBER_ID (removed: rejoin with memberId ''), ILLEGAL_GENERATION (rejoin),
// REBALANCE_IN_PROGRESS (rejoin, keeping the member id).
//
// maxWaitMs (optional, added without a version bump because both sides cope with its absence): the
// coordinator may hold the heartbeat up to that long and answers it the moment a rebalance starts
// or the member is removed, so members learn of a leave or a join at once instead of at their next
// heartbeat. A broker that predates the field answers at once; the member then waits out the rest
// of its interval, as before. Without it (or 0) the answer is immediate.
import { integer, object, optionalInteger, type ResponseError, responseError } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'
import { groupId, groupInstanceId, memberId, withOptional } from './group-fields.js'

/** Longest hold a Heartbeat may ask for; the coordinator shortens it to half the member's session. */
export const heartbeatWaitMsMax = 60_000

export interface HeartbeatRequest {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId?: string
  /** Hold the answer up to this long unless the group starts a rebalance (0 to heartbeatWaitMsMax). */
  readonly maxWaitMs?: number
}

export type HeartbeatResponse = ResponseError

export const Heartbeat: ApiDefinition<HeartbeatRequest, HeartbeatResponse> = {
  name: 'Heartbeat',
  apiKey: ApiKeys.Heartbeat,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'Heartbeat'
    const fields = object(body, path)
    const request = withOptional(
      {
        groupId: groupId(fields, 'groupId', path),
        generationId: integer(fields, 'generationId', path, -1, 2_147_483_647),
        memberId: memberId(fields, path),
      },
      'groupInstanceId',
      groupInstanceId(fields, path),
    )
    const maxWaitMs = optionalInteger(fields, 'maxWaitMs', path, 0, 0, heartbeatWaitMsMax)
    return maxWaitMs === 0 ? request : { ...request, maxWaitMs }
  },
  decodeResponse: (body) => responseError(object(body, 'Heartbeat'), 'Heartbeat'),
}
