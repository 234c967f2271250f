// Heartbeat (key 13), v0. Keeps a member's session alive, and is how a member learns that a
// rebalance started: REBALANCE_IN_PROGRESS means "send JoinGroup again".
//   request  = { groupId, generationId, memberId, groupInstanceId? }
//   response = { errorCode?, errorMessage? }
// Errors: UNKNOWN_MEMBER_ID (removed: rejoin with memberId ''), ILLEGAL_GENERATION (rejoin),
// REBALANCE_IN_PROGRESS (rejoin, keeping the member id).
import { integer, object, type ResponseError, responseError } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'
import { groupId, groupInstanceId, memberId, withOptional } from './group-fields.js'

export interface HeartbeatRequest {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId?: string
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
    return withOptional(
      {
        groupId: groupId(fields, 'groupId', path),
        generationId: integer(fields, 'generationId', path, -1, 2_147_483_647),
        memberId: memberId(fields, path),
      },
      'groupInstanceId',
      groupInstanceId(fields, path),
    )
  },
  decodeResponse: (body) => responseError(object(body, 'Heartbeat'), 'Heartbeat'),
}
