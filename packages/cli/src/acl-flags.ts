// `weir acl` flags → an ACL binding (add) or filter (remove, list). Pure: no client, no output.
// The same flags mean the same field everywhere; for remove and list a flag left out matches any
// value, so `weir acl list --principal User:alice` lists every binding of alice.
import {
  type AclBinding,
  type AclFilter,
  type AclOperation,
  AclOperations,
  aclWildcard,
  clusterResourceName,
} from '@weir/protocol'
import { UsageError } from './flags.js'

export interface AclFlagValues {
  readonly principal?: string | undefined
  readonly operation?: string | undefined
  readonly topic?: string | undefined
  readonly group?: string | undefined
  readonly cluster?: boolean | undefined
  readonly prefixed?: boolean | undefined
  readonly deny?: boolean | undefined
  readonly allow?: boolean | undefined
  readonly host?: string | undefined
}

/** The binding `weir acl add` creates: --principal, --operation and one resource are required. */
export function bindingFromFlags(values: AclFlagValues): AclBinding {
  if (values.principal === undefined) throw new UsageError('acl add needs --principal User:NAME (or User:*)')
  if (values.operation === undefined)
    throw new UsageError(`acl add needs --operation, one of ${AclOperations.join(', ')}`)
  const filter = filterFromFlags(values)
  if (filter.resourceType === undefined)
    throw new UsageError('acl add needs one resource: --topic NAME, --group NAME or --cluster')
  return {
    principal: filter.principal!,
    host: filter.host ?? aclWildcard,
    operation: filter.operation!,
    permission: filter.permission ?? 'allow',
    resourceType: filter.resourceType,
    resourceName: filter.resourceName!,
    patternType: filter.patternType ?? 'literal',
  }
}

/** The filter `weir acl remove` and `weir acl list` use: only the flags given narrow it. */
export function filterFromFlags(values: AclFlagValues): AclFilter {
  const resources = [values.topic !== undefined, values.group !== undefined, values.cluster === true]
  if (resources.filter(Boolean).length > 1)
    throw new UsageError('give at most one resource: --topic NAME, --group NAME or --cluster')
  if (values.deny && values.allow) throw new UsageError('give --allow or --deny, not both')
  if (values.prefixed && values.cluster)
    throw new UsageError('--prefixed applies to --topic or --group, not --cluster')
  if (values.principal !== undefined && !/^User:.+$/s.test(values.principal))
    throw new UsageError(`--principal must be User:NAME or User:*, got ${JSON.stringify(values.principal)}`)
  if (values.host !== undefined && values.host === '')
    throw new UsageError('--host must be an IP address or *')
  const filter: { -readonly [Key in keyof AclBinding]?: AclBinding[Key] } = {}
  if (values.principal !== undefined) filter.principal = values.principal
  if (values.host !== undefined) filter.host = values.host
  if (values.operation !== undefined) filter.operation = operationOf(values.operation)
  if (values.deny) filter.permission = 'deny'
  if (values.allow) filter.permission = 'allow'
  if (values.topic !== undefined) Object.assign(filter, { resourceType: 'Topic', resourceName: values.topic })
  if (values.group !== undefined) Object.assign(filter, { resourceType: 'Group', resourceName: values.group })
  if (values.cluster) Object.assign(filter, { resourceType: 'Cluster', resourceName: clusterResourceName })
  // Naming a resource names its pattern too: `--topic orders` is the literal binding, not orders-*.
  if (filter.resourceName !== undefined) filter.patternType = values.prefixed ? 'prefixed' : 'literal'
  else if (values.prefixed) throw new UsageError('--prefixed needs --topic PREFIX or --group PREFIX')
  if (filter.resourceName === '') throw new UsageError('--topic and --group need a name (or * for every one)')
  return filter
}

/** Operations are matched without regard to case: `--operation write` is Write. */
function operationOf(text: string): AclOperation {
  const found = AclOperations.find((operation) => operation.toLowerCase() === text.toLowerCase())
  if (found === undefined)
    throw new UsageError(
      `--operation must be one of ${AclOperations.join(', ')}, got ${JSON.stringify(text)}`,
    )
  return found
}
