// DescribeAcls: the bindings of this broker's image that match the filter. Needs Cluster:Describe
// (granted by Cluster:Alter too).
import { DescribeAcls } from '@weir/protocol'
import { authorizeClusterDescribe } from './authorize.js'
import { defineHandler } from './handler.js'

export const describeAclsHandler = defineHandler({
  api: DescribeAcls,
  async handle(request, context) {
    authorizeClusterDescribe(context)
    return { errorCode: 0, bindings: context.cluster.image.acls.matching([request.filter]) }
  },
})
