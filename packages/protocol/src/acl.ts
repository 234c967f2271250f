// What an ACL binding is, shared by the broker (which stores and enforces bindings) and the client
// and CLI (which create, delete and list them): the names of operations, resource types, pattern
// types and permissions, and the shape checks for a binding and a filter. Kafka's model: a
// principal on a host may (allow) or may not (deny) do an operation on a resource named
// literally (`orders`, or `*` for every name) or by prefix (`orders-`).
import { type Fields, object, string } from './schema.js'
import { WeirError } from './weir-error.js'

export const AclOperations = [
  'Read',
  'Write',
  'Create',
  'Delete',
  'Alter',
  'Describe',
  'ClusterAction',
  'All',
] as const
export type AclOperation = (typeof AclOperations)[number]

export const AclResourceTypes = ['Topic', 'Group', 'Cluster'] as const
export type AclResourceType = (typeof AclResourceTypes)[number]

export const AclPatternTypes = ['literal', 'prefixed'] as const
export type AclPatternType = (typeof AclPatternTypes)[number]

export const AclPermissions = ['allow', 'deny'] as const
export type AclPermission = (typeof AclPermissions)[number]

/** The one Cluster resource's name (Kafka's `kafka-cluster`). */
export const clusterResourceName = 'weir-cluster'
/** A literal resource name or host that matches every name or host. */
export const aclWildcard = '*'
/** Longest principal, host or resource name a binding may hold. */
export const aclFieldLengthMax = 1000
/** Bindings one CreateAcls request may carry, filters one DeleteAcls request may carry. */
export const aclsPerRequestMax = 1000

export interface AclBinding {
  /** `User:alice`, or `User:*` for every principal (anonymous ones included). */
  readonly principal: string
  /** An IP address, or `*` for any. */
  readonly host: string
  readonly operation: AclOperation
  readonly permission: AclPermission
  readonly resourceType: AclResourceType
  /** A topic or group name (or prefix), `*`, or `weir-cluster` for the Cluster resource. */
  readonly resourceName: string
  readonly patternType: AclPatternType
}

/** Selects bindings for DeleteAcls and DescribeAcls: an absent field matches any value. */
export type AclFilter = Partial<AclBinding>

const bindingKeys = [
  'principal',
  'host',
  'operation',
  'permission',
  'resourceType',
  'resourceName',
  'patternType',
] as const

function oneOf<T extends string>(fields: Fields, name: string, path: string, values: readonly T[]): T {
  const value = fields[name]
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value))
    throw new WeirError('INVALID_REQUEST', `field ${path}.${name} must be one of ${values.join(', ')}`)
  return value as T
}

function principalOf(fields: Fields, path: string): string {
  const principal = string(fields, 'principal', path, aclFieldLengthMax)
  // Every principal Weir gives a connection is a User (SASL or a certificate subject).
  if (!/^User:.+$/s.test(principal))
    throw new WeirError(
      'INVALID_REQUEST',
      `field ${path}.principal must be User:<name> or User:*, got ${JSON.stringify(principal)}`,
    )
  return principal
}

function nonEmpty(fields: Fields, name: string, path: string): string {
  const value = string(fields, name, path, aclFieldLengthMax)
  if (value === '') throw new WeirError('INVALID_REQUEST', `field ${path}.${name} must not be empty`)
  return value
}

const decoders: { readonly [Key in keyof AclBinding]: (fields: Fields, path: string) => AclBinding[Key] } = {
  principal: principalOf,
  host: (fields, path) => nonEmpty(fields, 'host', path),
  operation: (fields, path) => oneOf(fields, 'operation', path, AclOperations),
  permission: (fields, path) => oneOf(fields, 'permission', path, AclPermissions),
  resourceType: (fields, path) => oneOf(fields, 'resourceType', path, AclResourceTypes),
  resourceName: (fields, path) => nonEmpty(fields, 'resourceName', path),
  patternType: (fields, path) => oneOf(fields, 'patternType', path, AclPatternTypes),
}

/** Checks one binding; INVALID_REQUEST naming the field otherwise. */
export function decodeAclBinding(value: unknown, path: string): AclBinding {
  const fields = object(value, path)
  const binding: AclBinding = {
    principal: decoders.principal(fields, path),
    host: decoders.host(fields, path),
    operation: decoders.operation(fields, path),
    permission: decoders.permission(fields, path),
    resourceType: decoders.resourceType(fields, path),
    resourceName: decoders.resourceName(fields, path),
    patternType: decoders.patternType(fields, path),
  }
  if (binding.resourceType === 'Cluster' && binding.resourceName !== clusterResourceName)
    throw new WeirError(
      'INVALID_REQUEST',
      `field ${path}.resourceName of a Cluster binding must be ${clusterResourceName}`,
    )
  if (binding.resourceType === 'Cluster' && binding.patternType !== 'literal')
    throw new WeirError('INVALID_REQUEST', `field ${path}.patternType of a Cluster binding must be literal`)
  return binding
}

/** Checks one filter: each field absent (any) or valid as in a binding. */
export function decodeAclFilter(value: unknown, path: string): AclFilter {
  const fields = object(value, path)
  const filter: Record<string, string> = {}
  for (const key of bindingKeys) {
    if (fields[key] === undefined || fields[key] === null) continue
    filter[key] = decoders[key](fields, path)
  }
  return filter as AclFilter
}

/** Whether `binding` is one the filter selects (every field the filter names is equal). */
export function aclFilterMatches(filter: AclFilter, binding: AclBinding): boolean {
  return bindingKeys.every((key) => filter[key] === undefined || filter[key] === binding[key])
}

/** One line a person can read: `allow User:alice from * Write on Topic:orders (literal)`. */
export function describeAclBinding(binding: AclBinding): string {
  const where = binding.host === aclWildcard ? '' : ` from ${binding.host}`
  return `${binding.permission} ${binding.principal}${where} ${binding.operation} on ${binding.resourceType}:${binding.resourceName} (${binding.patternType})`
}

/** A stable identity for a binding: two equal bindings are one. */
export function aclBindingKey(binding: AclBinding): string {
  return JSON.stringify(bindingKeys.map((key) => binding[key]))
}
