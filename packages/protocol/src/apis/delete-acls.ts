// DeleteAcls (key 46), v0. Removes every binding that matches any of the filters.
//   request  = { filters: [{ principal?, host?, operation?, permission?, resourceType?, resourceName?, patternType? }] }
//   response = { errorCode?, errorMessage?, deleted: [binding] }
// An absent filter field matches any value, so `{}` deletes every binding. Needs Cluster:Alter.
import {
  type AclBinding,
  type AclFilter,
  aclsPerRequestMax,
  decodeAclBinding,
  decodeAclFilter,
} from '../acl.js'
import { array, object, optionalArray, type ResponseError, responseError } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'

export interface DeleteAclsRequest {
  readonly filters: readonly AclFilter[]
}

export interface DeleteAclsResponse extends ResponseError {
  /** The bindings removed (as the answering broker saw them just before). */
  readonly deleted: readonly AclBinding[]
}

export const DeleteAcls: ApiDefinition<DeleteAclsRequest, DeleteAclsResponse> = {
  name: 'DeleteAcls',
  apiKey: ApiKeys.DeleteAcls,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'DeleteAcls')
    return { filters: array(fields, 'filters', 'DeleteAcls', decodeAclFilter, aclsPerRequestMax) }
  },
  decodeResponse(body) {
    const fields = object(body, 'DeleteAcls')
    return {
      ...responseError(fields, 'DeleteAcls'),
      deleted: optionalArray(fields, 'deleted', 'DeleteAcls', decodeAclBinding) ?? [],
    }
  },
}
