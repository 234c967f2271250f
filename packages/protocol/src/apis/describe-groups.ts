// DescribeGroups (key 18), v0. State, protocol, generation and members (with their subscription
// metadata and current assignment) of each group asked for.
//   request  = { groups: [str] }
//   response = { errorCode?, errorMessage?, groups: [{ groupId, errorCode, errorMessage?, state,
//                  protocolType, protocolName, generationId, members: [{ memberId, groupInstanceId?,
//                  clientId, clientHost, metadata: bin, assignment: bin }] }] }
// A group this coordinator does not know comes back in state 'dead' with no members.
import { array, bytes, integer, object, type ResponseError, responseError, string } from '../schema.js'
import { type ApiDefinition, ApiKeys, type ErrorFields } from './api.js'
import {
  type GroupState,
  groupId,
  groupIdItem,
  groupInstanceId,
  groupState,
  memberId,
  withOptional,
} from './group-fields.js'
import { errorFields } from './metadata.js'

/** Groups one DescribeGroups or DeleteGroups may name. */
export const groupsPerRequestMax = 1000

export interface DescribedMember {
  readonly memberId: string
  readonly groupInstanceId?: string
  readonly clientId: string
  readonly clientHost: string
  /** The member's metadata for the group's chosen protocol (a consumer-protocol subscription). */
  readonly metadata: Buffer
  /** Its current assignment (empty while a rebalance is in progress). */
  readonly assignment: Buffer
}

export interface DescribedGroup extends ErrorFields {
  readonly groupId: string
  readonly state: GroupState
  readonly protocolType: string
  /** The chosen protocol (assignor) of the current generation, '' when none. */
  readonly protocolName: string
  readonly generationId: number
  readonly members: readonly DescribedMember[]
}

export interface DescribeGroupsRequest {
  readonly groups: readonly string[]
}

export interface DescribeGroupsResponse extends ResponseError {
  readonly groups: readonly DescribedGroup[]
}

export const DescribeGroups: ApiDefinition<DescribeGroupsRequest, DescribeGroupsResponse> = {
  name: 'DescribeGroups',
  apiKey: ApiKeys.DescribeGroups,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'DescribeGroups')
    return { groups: array(fields, 'groups', 'DescribeGroups', groupIdItem, groupsPerRequestMax) }
  },
  decodeResponse(body) {
    const path = 'DescribeGroups'
    const fields = object(body, path)
    return {
      ...responseError(fields, path),
      groups: array(fields, 'groups', path, (value, groupPath) => {
        const group = object(value, groupPath)
        return {
          ...errorFields(group, groupPath),
          groupId: groupId(group, 'groupId', groupPath),
          state: groupState(group, groupPath),
          protocolType: string(group, 'protocolType', groupPath, 100),
          protocolName: string(group, 'protocolName', groupPath, 100),
          generationId: integer(group, 'generationId', groupPath, -1, 2_147_483_647),
          members: array(group, 'members', groupPath, (entry, memberPath) => {
            const member = object(entry, memberPath)
            return withOptional(
              {
                memberId: memberId(member, memberPath),
                clientId: string(member, 'clientId', memberPath),
                clientHost: string(member, 'clientHost', memberPath),
                metadata: bytes(member, 'metadata', memberPath),
                assignment: bytes(member, 'assignment', memberPath),
              },
              'groupInstanceId',
              groupInstanceId(member, memberPath),
            )
          }),
        }
      }),
    }
  },
}
