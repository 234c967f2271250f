// LeaveGroup (key 14), v0. Members leave at once instead of waiting for their session to time
// out; the group rebalances without them. A static member may leave by groupInstanceId alone
// (memberId '').
//   request  = { groupId, members: [{ memberId, groupInstanceId?, reason? }] }
//   response = { errorCode?, errorMessage?, members: [{ memberId, groupInstanceId?, errorCode, errorMessage? }] }
import { array, object, optionalString, type ResponseError, responseError } from '../schema.js'
import { type ApiDefinition, ApiKeys, type ErrorFields } from './api.js'
import { groupId, groupInstanceId, memberId, reasonLengthMax, withOptional } from './group-fields.js'
import { errorFields } from './metadata.js'

/** Members one LeaveGroup may name. */
export const leaveMembersMax = 1000

export interface LeavingMember {
  readonly memberId: string
  readonly groupInstanceId?: string
  readonly reason?: string
}

export interface LeaveGroupRequest {
  readonly groupId: string
  readonly members: readonly LeavingMember[]
}

export interface LeaveGroupMemberResult extends ErrorFields {
  readonly memberId: string
  readonly groupInstanceId?: string
}

export interface LeaveGroupResponse extends ResponseError {
  readonly members: readonly LeaveGroupMemberResult[]
}

export const LeaveGroup: ApiDefinition<LeaveGroupRequest, LeaveGroupResponse> = {
  name: 'LeaveGroup',
  apiKey: ApiKeys.LeaveGroup,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'LeaveGroup'
    const fields = object(body, path)
    return {
      groupId: groupId(fields, 'groupId', path),
      members: array(
        fields,
        'members',
        path,
        (value, memberPath) => {
          const member = object(value, memberPath)
          const leaving = withOptional(
            { memberId: memberId(member, memberPath) },
            'groupInstanceId',
            groupInstanceId(member, memberPath),
          )
          return withOptional(
            leaving,
            'reason',
            optionalString(member, 'reason', memberPath)?.slice(0, reasonLengthMax),
          )
        },
        leaveMembersMax,
      ),
    }
  },
  decodeResponse(body) {
    const path = 'LeaveGroup'
    const fields = object(body, path)
    return {
      ...responseError(fields, path),
      members: array(fields, 'members', path, (value, memberPath) => {
        const member = object(value, memberPath)
        return withOptional(
          { ...errorFields(member, memberPath), memberId: memberId(member, memberPath) },
          'groupInstanceId',
          groupInstanceId(member, memberPath),
        )
      }),
    }
  },
}
