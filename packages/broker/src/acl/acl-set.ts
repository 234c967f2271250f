// The cluster's ACL bindings as the controller log describes them: a set (creating an existing
// binding changes nothing), changed only by applying committed records, in the same order on
// every broker. Kept per resource type so a check looks only at bindings that could apply.
import {
  type AclBinding,
  type AclFilter,
  type AclResourceType,
  aclBindingKey,
  aclFilterMatches,
} from '@weir/protocol'

export class AclSet {
  private readonly byType = new Map<AclResourceType, Map<string, AclBinding>>()

  add(bindings: readonly AclBinding[]): void {
    for (const binding of bindings) {
      let table = this.byType.get(binding.resourceType)
      if (table === undefined) {
        table = new Map()
        this.byType.set(binding.resourceType, table)
      }
      table.set(aclBindingKey(binding), binding)
    }
  }

  /** Removes every binding any filter selects; returns them. */
  remove(filters: readonly AclFilter[]): AclBinding[] {
    const removed = this.matching(filters)
    for (const binding of removed) this.byType.get(binding.resourceType)?.delete(aclBindingKey(binding))
    return removed
  }

  /** Bindings any of the filters selects, in a stable order. */
  matching(filters: readonly AclFilter[]): AclBinding[] {
    return this.all().filter((binding) => filters.some((filter) => aclFilterMatches(filter, binding)))
  }

  has(binding: AclBinding): boolean {
    return this.byType.get(binding.resourceType)?.has(aclBindingKey(binding)) ?? false
  }

  /** The bindings on one resource type: the only ones a check on that type can match. */
  ofType(resourceType: AclResourceType): Iterable<AclBinding> {
    return this.byType.get(resourceType)?.values() ?? []
  }

  all(): AclBinding[] {
    return [...this.byType.values()].flatMap((table) => [...table.values()])
  }

  get size(): number {
    let count = 0
    for (const table of this.byType.values()) count += table.size
    return count
  }
}
