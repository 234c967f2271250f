// ListGroups (key 17), v0. The groups this broker coordinates, optionally only those in some states.
//   request  = { statesFilter?: [str] }             absent or []: every state
//   response = { errorCode?, errorMessage?, groups: [{ groupId, protocolType, state }] }
// A cluster-wide list is the union of every broker's answer.
import { array, object, type ResponseError, responseError, string } from '../schema.js'
import { WeirError } from '../weir-error.js'
import { type ApiDefinition, ApiKeys } from './api.js'
import { type GroupState, groupId, groupState, isGroupState } from './group-fields.js'

export interface ListGroupsRequest {
  readonly statesFilter: readonly GroupState[]
}

export interface ListedGroup {
  readonly groupId: string
  /** '' for a group that only stores offsets. */
  readonly protocolType: string
  readonly state: GroupState
}

export interface ListGroupsResponse extends ResponseError {
  readonly groups: readonly ListedGroup[]
}

function stateItem(value: unknown, path: string): GroupState {
  if (typeof value !== 'string' || !isGroupState(value))
    throw new WeirError('INVALID_REQUEST', `field ${path} must be a group state`)
  return value
}

export const ListGroups: ApiDefinition<ListGroupsRequest, ListGroupsResponse> = {
  name: 'ListGroups',
  apiKey: ApiKeys.ListGroups,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'ListGroups')
    return {
      statesFilter:
        fields.statesFilter === undefined || fields.statesFilter === null
          ? []
          : array(fields, 'statesFilter', 'ListGroups', stateItem, 5),
    }
  },
  decodeResponse(body) {
    const path = 'ListGroups'
    const fields = object(body, path)
    return {
      ...responseError(fields, path),
      groups: array(fields, 'groups', path, (value, groupPath) => {
        const group = object(value, groupPath)
        return {
          groupId: groupId(group, 'groupId', groupPath),
          protocolType: string(group, 'protocolType', groupPath, 100),
          state: groupState(group, groupPath),
        }
      }),
    }
  },
}
