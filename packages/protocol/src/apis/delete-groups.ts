// DeleteGroups (key 19), v0. Deletes groups that have no members, with their committed offsets.
//   request  = { groups: [str] }
//   response = { errorCode?, errorMessage?, groups: [{ groupId, errorCode, errorMessage? }] }
// A group with live members is refused (its members must leave first); deleting a group the
// coordinator does not know succeeds (nothing to delete).
import { array, object, type ResponseError, responseError } from '../schema.js'
import { type ApiDefinition, ApiKeys, type ErrorFields } from './api.js'
import { groupsPerRequestMax } from './describe-groups.js'
import { groupId, groupIdItem } from './group-fields.js'
import { errorFields } from './metadata.js'

export interface DeleteGroupsRequest {
  readonly groups: readonly string[]
}

export interface DeleteGroupResult extends ErrorFields {
  readonly groupId: string
}

export interface DeleteGroupsResponse extends ResponseError {
  readonly groups: readonly DeleteGroupResult[]
}

export const DeleteGroups: ApiDefinition<DeleteGroupsRequest, DeleteGroupsResponse> = {
  name: 'DeleteGroups',
  apiKey: ApiKeys.DeleteGroups,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'DeleteGroups')
    return { groups: array(fields, 'groups', 'DeleteGroups', groupIdItem, groupsPerRequestMax) }
  },
  decodeResponse(body) {
    const path = 'DeleteGroups'
    const fields = object(body, path)
    return {
      ...responseError(fields, path),
      groups: array(fields, 'groups', path, (value, groupPath) => {
        const group = object(value, groupPath)
        return { ...errorFields(group, groupPath), groupId: groupId(group, 'groupId', groupPath) }
      }),
    }
  },
}
