// The controller-log records that change the ACL set. Like topic records, they are committed by
// the controller leader and applied by every broker in log order, so every broker enforces the
// same set and a deletion applies without a restart.
import {
  type AclBinding,
  type AclFilter,
  aclsPerRequestMax,
  decodeAclBinding,
  decodeAclFilter,
  WeirError,
} from '@weir/protocol'

export type AclRecord =
  | { readonly type: 'aclsCreated'; readonly bindings: readonly AclBinding[] }
  /** Filters, not bindings: applied to the set as it is at that point of the log. */
  | { readonly type: 'aclsDeleted'; readonly filters: readonly AclFilter[] }

export function isAclRecord(record: { readonly type: string }): record is AclRecord {
  return record.type === 'aclsCreated' || record.type === 'aclsDeleted'
}

/** Shape check for an ACL record from a peer or the log: INVALID_REQUEST naming the field otherwise. */
export function checkAclRecord(record: Partial<Record<string, unknown>>): AclRecord {
  const list = (name: string): unknown[] => {
    const value = record[name]
    if (!Array.isArray(value) || value.length > aclsPerRequestMax)
      throw new WeirError(
        'INVALID_REQUEST',
        `metadata record: ${record.type} needs ${name} (at most ${aclsPerRequestMax})`,
      )
    return value
  }
  const change = typeof record.change === 'string' && record.change !== '' ? { change: record.change } : {}
  if (record.type === 'aclsCreated') {
    const bindings = list('bindings').map((value, index) => decodeAclBinding(value, `bindings[${index}]`))
    return { type: 'aclsCreated', bindings, ...change }
  }
  const filters = list('filters').map((value, index) => decodeAclFilter(value, `filters[${index}]`))
  return { type: 'aclsDeleted', filters, ...change }
}
