// DeleteAcls: one controller record carrying the filters; every broker removes what they match at
// that point of its log. The answer lists what matched on this broker just before (its image may
// lag the controller's by a moment). Needs Cluster:Alter.
import { aclBindingKey, DeleteAcls } from '@weir/protocol'
import { authorizeClusterAlter } from './authorize.js'
import { appliedHere } from './cluster-topics.js'
import { defineHandler } from './handler.js'

export const deleteAclsHandler = defineHandler({
  api: DeleteAcls,
  async handle(request, context) {
    authorizeClusterAlter(context)
    const { cluster } = context
    const matched = cluster.image.acls.matching(request.filters)
    if (request.filters.length === 0) return { errorCode: 0, deleted: [] }
    await cluster.submit({ type: 'aclsDeleted', filters: request.filters }, context.limits.requestTimeoutMs)
    const gone = () => matched.every((binding) => !cluster.image.acls.has(binding))
    await appliedHere(cluster, gone, context, 'deleting the ACLs')
    context.logger.info(
      { principal: context.session.principal, deleted: matched.map(aclBindingKey) },
      'ACL bindings deleted',
    )
    return { errorCode: 0, deleted: matched }
  },
})
