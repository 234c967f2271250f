// CreateAcls (key 45), v0. Adds ACL bindings to the cluster (one controller record for them all).
//   request  = { creations: [{ principal, host, operation, permission, resourceType, resourceName, patternType }] }
//   response = { errorCode?, errorMessage? }
// Needs Cluster:Alter. Creating a binding that exists already succeeds (a set, not a list).
import { type AclBinding, aclsPerRequestMax, decodeAclBinding } from '../acl.js'
import { array, object, type ResponseError, responseError } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'

export interface CreateAclsRequest {
  readonly creations: readonly AclBinding[]
}

export type CreateAclsResponse = ResponseError

export const CreateAcls: ApiDefinition<CreateAclsRequest, CreateAclsResponse> = {
  name: 'CreateAcls',
  apiKey: ApiKeys.CreateAcls,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'CreateAcls')
    return { creations: array(fields, 'creations', 'CreateAcls', decodeAclBinding, aclsPerRequestMax) }
  },
  decodeResponse(body) {
    return responseError(object(body, 'CreateAcls'), 'CreateAcls')
  },
}
