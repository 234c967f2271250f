// DescribeAcls (key 47), v0. Lists the bindings that match one filter.
//   request  = { filter: { principal?, host?, operation?, permission?, resourceType?, resourceName?, patternType? } }
//   response = { errorCode?, errorMessage?, bindings: [binding] }
// An absent filter field matches any value. Needs Cluster:Describe.
import { type AclBinding, type AclFilter, decodeAclBinding, decodeAclFilter } from '../acl.js'
import { object, optionalArray, type ResponseError, responseError } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'

export interface DescribeAclsRequest {
  readonly filter: AclFilter
}

export interface DescribeAclsResponse extends ResponseError {
  readonly bindings: readonly AclBinding[]
}

export const DescribeAcls: ApiDefinition<DescribeAclsRequest, DescribeAclsResponse> = {
  name: 'DescribeAcls',
  apiKey: ApiKeys.DescribeAcls,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'DescribeAcls')
    return { filter: decodeAclFilter(fields.filter ?? {}, 'DescribeAcls.filter') }
  },
  decodeResponse(body) {
    const fields = object(body, 'DescribeAcls')
    return {
      ...responseError(fields, 'DescribeAcls'),
      bindings: optionalArray(fields, 'bindings', 'DescribeAcls', decodeAclBinding) ?? [],
    }
  },
}
