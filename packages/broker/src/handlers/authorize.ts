// The one place a handler asks whether this request's principal may do an operation: the
// broker's authorizer settings, the controller image's current ACL bindings (nothing cached, so a
// revoke applies on the next request), the connection's session and the client's address.
// Requests on the peer listener come from authenticated brokers and are not ACL-checked.
import {
  type AclOperation,
  type AclResourceType,
  clusterResourceName,
  type ErrorName,
  WeirError,
} from '@weir/protocol'
import { authorizes, authorizesAny } from '../acl/authorizer.js'
import type { HandlerContext } from './handler.js'

const deniedCode: Readonly<Record<AclResourceType, ErrorName>> = {
  Topic: 'TOPIC_AUTHORIZATION_FAILED',
  Group: 'GROUP_AUTHORIZATION_FAILED',
  Cluster: 'CLUSTER_AUTHORIZATION_FAILED',
}

export function permits(
  context: HandlerContext,
  operation: AclOperation,
  resourceType: AclResourceType,
  resourceName: string,
): boolean {
  if (context.listener === 'peer') return true
  return authorizes(context.authorizer, context.cluster.image.acls.ofType(resourceType), {
    principal: context.session.principal,
    host: context.clientHost,
    operation,
    resourceType,
    resourceName,
  })
}

/** Whether the principal may do `operation` on some resource of the type (InitProducerId). */
export function permitsAny(
  context: HandlerContext,
  operation: AclOperation,
  resourceType: AclResourceType,
): boolean {
  if (context.listener === 'peer') return true
  return authorizesAny(context.authorizer, [...context.cluster.image.acls.ofType(resourceType)], {
    principal: context.session.principal,
    host: context.clientHost,
    operation,
    resourceType,
  })
}

/** The typed denial for an operation on a resource, naming the `weir acl add` that would allow it. */
export function denied(
  context: HandlerContext,
  operation: AclOperation,
  resourceType: AclResourceType,
  resourceName: string,
): WeirError {
  const principal = context.session.principal
  const resource =
    resourceType === 'Cluster' ? 'the cluster' : `${resourceType.toLowerCase()} ${resourceName}`
  const flag = resourceType === 'Cluster' ? '--cluster' : `--${resourceType.toLowerCase()} ${resourceName}`
  return new WeirError(
    deniedCode[resourceType],
    `${principal} may not ${operation} ${resource}; an admin can allow it with \`weir acl add --principal ${principal} --operation ${operation} ${flag}\``,
  )
}

/** Throws TOPIC_, GROUP_ or CLUSTER_AUTHORIZATION_FAILED unless the operation is allowed. */
export function authorize(
  context: HandlerContext,
  operation: AclOperation,
  resourceType: AclResourceType,
  resourceName: string,
): void {
  if (!permits(context, operation, resourceType, resourceName))
    throw denied(context, operation, resourceType, resourceName)
}

/** For APIs that change the cluster's security (ACLs, users): Cluster:Alter. */
export function authorizeClusterAlter(context: HandlerContext): void {
  authorize(context, 'Alter', 'Cluster', clusterResourceName)
}

/** For APIs that read the cluster's settings or state (DescribeAcls, listing users, DescribeBrokers): Cluster:Describe. */
export function authorizeClusterDescribe(context: HandlerContext): void {
  authorize(context, 'Describe', 'Cluster', clusterResourceName)
}
