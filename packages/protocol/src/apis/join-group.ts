// JoinGroup (key 11), v0. A member asks to be part of the group's next generation. The answer
// comes once the rebalance completes: every member that rejoined in time gets the new generation
// id and the leader's id; the leader also gets every member's metadata, computes the assignment
// with the chosen protocol (assignor) and sends it in its SyncGroup.
//   request  = { groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId ('' when new),
//                groupInstanceId?, protocolType, protocols: [{ name, metadata: bin }], clientId?, reason? }
//   response = { errorCode?, errorMessage?, generationId, protocolType?, protocolName?, leader,
//                skipAssignment?, memberId, members: [{ memberId, groupInstanceId?, metadata: bin }] }
// `members` is empty except for the leader. `skipAssignment` is true when a static member that was
// leader rejoined without a rebalance: it must not compute a new assignment.
import {
  array,
  boolean,
  bytes,
  integer,
  object,
  optionalString,
  type ResponseError,
  responseError,
  string,
} from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'
import {
  groupId,
  groupIdLengthMax,
  groupInstanceId,
  memberId,
  reasonLengthMax,
  withOptional,
} from './group-fields.js'

/** How many protocols (assignors) one member may offer. */
export const joinProtocolsMax = 32
const int32Max = 2_147_483_647

export interface JoinGroupProtocol {
  /** The assignor name, e.g. 'range', 'roundrobin', 'cooperative-sticky'. */
  readonly name: string
  /** For protocolType 'consumer', a consumer-protocol subscription (see consumer-protocol.ts). */
  readonly metadata: Buffer
}

export interface JoinGroupRequest {
  readonly groupId: string
  readonly sessionTimeoutMs: number
  readonly rebalanceTimeoutMs: number
  /** '' for a member joining for the first time; the coordinator generates one. */
  readonly memberId: string
  /** Static membership: a stable id the member keeps across restarts. */
  readonly groupInstanceId?: string
  /** 'consumer' for consumer groups; every member of a group must use the same type. */
  readonly protocolType: string
  /** In order of preference; the group picks one that every member supports. */
  readonly protocols: readonly JoinGroupProtocol[]
  /** The client's own name, shown by DescribeGroups. */
  readonly clientId?: string
  readonly reason?: string
}

export interface JoinGroupMember {
  readonly memberId: string
  readonly groupInstanceId?: string
  readonly metadata: Buffer
}

export interface JoinGroupResponse extends ResponseError {
  /** -1 on error. */
  readonly generationId: number
  readonly protocolType?: string
  readonly protocolName?: string
  /** The leader's member id ('' on error). */
  readonly leader: string
  readonly skipAssignment?: boolean
  readonly memberId: string
  readonly members: readonly JoinGroupMember[]
}

export const JoinGroup: ApiDefinition<JoinGroupRequest, JoinGroupResponse> = {
  name: 'JoinGroup',
  apiKey: ApiKeys.JoinGroup,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'JoinGroup'
    const fields = object(body, path)
    const request = {
      groupId: groupId(fields, 'groupId', path),
      sessionTimeoutMs: integer(fields, 'sessionTimeoutMs', path, 1, int32Max),
      rebalanceTimeoutMs: integer(fields, 'rebalanceTimeoutMs', path, 1, int32Max),
      memberId: memberId(fields, path),
      protocolType: string(fields, 'protocolType', path, 100),
      protocols: array(
        fields,
        'protocols',
        path,
        (value, protocolPath) => {
          const protocol = object(value, protocolPath)
          return {
            name: string(protocol, 'name', protocolPath, 100),
            metadata: bytes(protocol, 'metadata', protocolPath),
          }
        },
        joinProtocolsMax,
      ),
    }
    withOptional(request, 'groupInstanceId', groupInstanceId(fields, path))
    withOptional(request, 'clientId', optionalString(fields, 'clientId', path))
    withOptional(request, 'reason', optionalString(fields, 'reason', path)?.slice(0, reasonLengthMax))
    return request
  },
  decodeResponse(body) {
    const path = 'JoinGroup'
    const fields = object(body, path)
    const response = {
      ...responseError(fields, path),
      generationId: integer(fields, 'generationId', path, -1, int32Max),
      leader: string(fields, 'leader', path, groupIdLengthMax),
      memberId: memberId(fields, path),
      members: array(fields, 'members', path, (value, memberPath) => {
        const member = object(value, memberPath)
        return withOptional(
          { memberId: memberId(member, memberPath), metadata: bytes(member, 'metadata', memberPath) },
          'groupInstanceId',
          groupInstanceId(member, memberPath),
        )
      }),
    }
    withOptional(response, 'protocolType', optionalString(fields, 'protocolType', path))
    withOptional(response, 'protocolName', optionalString(fields, 'protocolName', path))
    if (fields.skipAssignment !== undefined && fields.skipAssignment !== null)
      withOptional(response, 'skipAssignment', boolean(fields, 'skipAssignment', path, false))
    return response
  },
}
