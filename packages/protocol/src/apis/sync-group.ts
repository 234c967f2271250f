// SyncGroup (key 12), v0. After JoinGroup, every member sends SyncGroup; the leader's carries the
// assignment it computed for each member. Each member's answer is its own assignment, sent once
// the leader's SyncGroup arrived (at once when the group is already stable).
//   request  = { groupId, generationId, memberId, groupInstanceId?, protocolType?, protocolName?,
//                assignments: [{ memberId, assignment: bin }] }       assignments: leader only, else []
//   response = { errorCode?, errorMessage?, protocolType?, protocolName?, assignment: bin }
// For protocolType 'consumer' the assignment bytes are a consumer-protocol assignment.
import {
  array,
  bytes,
  integer,
  object,
  optionalString,
  type ResponseError,
  responseError,
} from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'
import { groupId, groupInstanceId, memberId, withOptional } from './group-fields.js'

const int32Max = 2_147_483_647

export interface SyncGroupAssignment {
  readonly memberId: string
  readonly assignment: Buffer
}

export interface SyncGroupRequest {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId?: string
  /** When present, must match the group's; a mismatch is INVALID_REQUEST. */
  readonly protocolType?: string
  readonly protocolName?: string
  readonly assignments: readonly SyncGroupAssignment[]
}

export interface SyncGroupResponse extends ResponseError {
  readonly protocolType?: string
  readonly protocolName?: string
  /** Empty on error. */
  readonly assignment: Buffer
}

export const SyncGroup: ApiDefinition<SyncGroupRequest, SyncGroupResponse> = {
  name: 'SyncGroup',
  apiKey: ApiKeys.SyncGroup,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'SyncGroup'
    const fields = object(body, path)
    const request = {
      groupId: groupId(fields, 'groupId', path),
      generationId: integer(fields, 'generationId', path, -1, int32Max),
      memberId: memberId(fields, path),
      assignments: array(fields, 'assignments', path, (value, assignmentPath) => {
        const assignment = object(value, assignmentPath)
        return {
          memberId: memberId(assignment, assignmentPath),
          assignment: bytes(assignment, 'assignment', assignmentPath),
        }
      }),
    }
    withOptional(request, 'groupInstanceId', groupInstanceId(fields, path))
    withOptional(request, 'protocolType', optionalString(fields, 'protocolType', path))
    withOptional(request, 'protocolName', optionalString(fields, 'protocolName', path))
    return request
  },
  decodeResponse(body) {
    const path = 'SyncGroup'
    const fields = object(body, path)
    const response = { ...responseError(fields, path), assignment: bytes(fields, 'assignment', path) }
    withOptional(response, 'protocolType', optionalString(fields, 'protocolType', path))
    withOptional(response, 'protocolName', optionalString(fields, 'protocolName', path))
    return response
  },
}
