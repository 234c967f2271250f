// CreateAcls: one controller record adds every binding (all or none), so every broker enforces
// them from the same point of the log. Answered once this broker applied it too: a request sent
// next to the same broker is already checked against the new bindings. Needs Cluster:Alter.
import { CreateAcls, type CreateAclsRequest, type CreateAclsResponse } from '@weir/protocol'
import { authorizeClusterAlter } from './authorize.js'
import { appliedHere } from './cluster-topics.js'
import { defineHandler, type Handler } from './handler.js'

export const createAclsHandler: Handler<CreateAclsRequest, CreateAclsResponse> = defineHandler({
  api: CreateAcls,
  async handle(request, context) {
    authorizeClusterAlter(context)
    const { cluster } = context
    if (request.creations.length === 0) return { errorCode: 0 }
    await cluster.submit(
      { type: 'aclsCreated', bindings: request.creations },
      context.limits.requestTimeoutMs,
    )
    const present = () => request.creations.every((binding) => cluster.image.acls.has(binding))
    await appliedHere(cluster, present, context, 'the new ACLs')
    context.logger.info(
      { principal: context.session.principal, count: request.creations.length },
      'ACL bindings created',
    )
    return { errorCode: 0 }
  },
})
