// Decides whether a principal on a host may do an operation on a resource, from a set of ACL
// bindings. Pure: no I/O, no cache; the broker passes the controller image's current bindings on
// every request, so a revoked binding stops applying on the next request, on every broker.
// Kafka's rules: deny beats allow; All covers every operation; an allowed Read, Write, Delete or
// Alter implies Describe (a deny never implies anything); super users bypass every binding.
import { type AclBinding, type AclOperation, type AclResourceType, aclWildcard } from '@weir/protocol'

/** One request's question to the authorizer. */
export interface AccessRequest {
  readonly principal: string
  /** The client's IP address as the socket reports it. */
  readonly host: string
  readonly operation: AclOperation
  readonly resourceType: AclResourceType
  readonly resourceName: string
}

export interface AuthorizerConfig {
  /** False: today's open behaviour, every request allowed. True (`authorizer: 'acl'`): deny by default. */
  readonly enabled: boolean
  /** Principals allowed everything (`User:admin`). */
  readonly superUsers: readonly string[]
}

const impliesDescribe: ReadonlySet<AclOperation> = new Set(['Read', 'Write', 'Delete', 'Alter'])
const wildcardPrincipal = 'User:*'

export function authorizes(
  config: AuthorizerConfig,
  bindings: Iterable<AclBinding>,
  request: AccessRequest,
): boolean {
  if (!config.enabled || config.superUsers.includes(request.principal)) return true
  const host = plainAddress(request.host)
  let allowed = false
  for (const binding of bindings) {
    if (!appliesTo(binding, request, host)) continue
    if (binding.permission === 'deny') {
      if (binding.operation === request.operation || binding.operation === 'All') return false
    } else if (grants(binding.operation, request.operation)) {
      allowed = true
    }
  }
  return allowed
}

function grants(granted: AclOperation, wanted: AclOperation): boolean {
  return granted === wanted || granted === 'All' || (wanted === 'Describe' && impliesDescribe.has(granted))
}

/** The principal, host and resource match (the operation and permission are decided by the caller). */
function appliesTo(binding: AclBinding, request: AccessRequest, host: string): boolean {
  if (binding.resourceType !== request.resourceType) return false
  if (binding.principal !== wildcardPrincipal && binding.principal !== request.principal) return false
  if (binding.host !== aclWildcard && plainAddress(binding.host) !== host) return false
  if (binding.patternType === 'prefixed') return request.resourceName.startsWith(binding.resourceName)
  return binding.resourceName === aclWildcard || binding.resourceName === request.resourceName
}

/** An IPv4 client on a dual-stack socket shows as `::ffff:10.0.0.1`; bindings name `10.0.0.1`. */
function plainAddress(host: string): string {
  return host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host
}

/**
 * Whether the principal may do `operation` on at least one resource of the type (InitProducerId:
 * Write on any topic). Each allow binding is tried as a request for the name it names (a prefix
 * stands for the names under it), so a deny that covers that name still wins.
 */
export function authorizesAny(
  config: AuthorizerConfig,
  bindings: readonly AclBinding[],
  request: Omit<AccessRequest, 'resourceName'>,
): boolean {
  if (!config.enabled || config.superUsers.includes(request.principal)) return true
  return bindings.some(
    (binding) =>
      binding.permission === 'allow' &&
      authorizes(config, bindings, { ...request, resourceName: binding.resourceName }),
  )
}
