// ACL administration (Admin.createAcls, deleteAcls, describeAcls): each is one request to any
// broker; the broker commits the change through the controller, so every broker enforces it from
// then on. A refusal (CLUSTER_AUTHORIZATION_FAILED without Cluster:Alter) comes back as its WeirError.
import {
  type AclBinding,
  type AclFilter,
  aclWildcard,
  CreateAcls,
  clusterResourceName,
  DeleteAcls,
  DescribeAcls,
  decodeAclBinding,
  decodeAclFilter,
  ErrorCodes,
  WeirError,
} from '@weir/protocol'
import type { Cluster } from './cluster.js'

/** A binding with Kafka's defaults: any host, allow, a literal name (`weir-cluster` for the Cluster). */
export type AclBindingInput = Omit<AclBinding, 'host' | 'permission' | 'patternType' | 'resourceName'> &
  Partial<Pick<AclBinding, 'host' | 'permission' | 'patternType' | 'resourceName'>>

/** A binding as the broker will store it; INVALID_CONFIG naming the field when it could not be. */
export function completeBinding(input: AclBindingInput): AclBinding {
  const binding = {
    host: aclWildcard,
    permission: 'allow',
    patternType: 'literal',
    resourceName: input.resourceType === 'Cluster' ? clusterResourceName : undefined,
    ...input,
  }
  return checked(() => decodeAclBinding(binding, 'acl'))
}

function checked<T>(decode: () => T): T {
  try {
    return decode()
  } catch (error) {
    // The same shape check the broker runs, reported as the caller's mistake, before any request.
    const message = (error as Error).message
    const generic = `. ${ErrorCodes.INVALID_REQUEST.message}`
    throw new WeirError(
      'INVALID_CONFIG',
      message.endsWith(generic) ? message.slice(0, -generic.length) : message,
    )
  }
}

export async function createAcls(cluster: Cluster, bindings: readonly AclBindingInput[]): Promise<void> {
  const creations = bindings.map(completeBinding)
  await cluster.request(CreateAcls, { creations })
}

/** Deletes every binding any filter selects (an absent field matches any value); resolves with them. */
export async function deleteAcls(cluster: Cluster, filters: readonly AclFilter[]): Promise<AclBinding[]> {
  const checkedFilters = filters.map((filter) => checked(() => decodeAclFilter(filter, 'filter')))
  const response = await cluster.request(DeleteAcls, { filters: checkedFilters })
  return [...response.deleted]
}

/** The bindings the filter selects (every binding for `{}`). */
export async function describeAcls(cluster: Cluster, filter: AclFilter = {}): Promise<AclBinding[]> {
  const checkedFilter = checked(() => decodeAclFilter(filter, 'filter'))
  const response = await cluster.request(DescribeAcls, { filter: checkedFilter })
  return [...response.bindings]
}
